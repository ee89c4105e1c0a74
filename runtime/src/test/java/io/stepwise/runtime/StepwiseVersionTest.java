package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StepwiseVersionTest {
    @Test
    void theBuildFillsInTheProjectVersion() {
        assertTrue(StepwiseVersion.get().matches("\\d+\\.\\d+\\.\\d+.*"), StepwiseVersion.get());
    }
}
