package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StepwiseExceptionTest {
    @Test
    void carriesPathAndReason() {
        StepwiseException e = new StepwiseException(Path.of("m.onnx"), "corrupt", null);
        assertEquals("m.onnx: corrupt", e.getMessage());
        assertEquals(Path.of("m.onnx"), e.path().orElseThrow());
        assertTrue(new StepwiseException("x").path().isEmpty());
    }
}
