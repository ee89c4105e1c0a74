package io.stepwise.training.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TaskKindTest {
    @Test
    void parsesCommandLineAndModelFileNames() {
        assertEquals(TaskKind.LANGUAGE_MODEL, TaskKind.fromName("language-model"));
        assertEquals(TaskKind.LANGUAGE_MODEL, TaskKind.fromName("language_model"));
        assertEquals(TaskKind.FORECAST, TaskKind.fromName("FORECAST"));
        assertEquals(TaskKind.FORECAST, TaskKind.ofModelTask("forecaster"));
        assertEquals(TaskKind.CLASSIFY, TaskKind.ofModelTask("classifier"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskKind.fromName("poems"));
        assertTrue(e.getMessage().startsWith("--task:") && e.getMessage().contains("'poems'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaskKind.ofModelTask("translator"));
    }
}
