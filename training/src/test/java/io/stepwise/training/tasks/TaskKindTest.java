package io.stepwise.training.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import org.junit.jupiter.api.Test;

class TaskKindTest {
    @Test
    void parsesCommandLineAndModelFileNames() {
        assertEquals(TaskKind.LANGUAGE_MODEL, TaskKind.fromName("language-model"));
        assertEquals(TaskKind.LANGUAGE_MODEL, TaskKind.fromName("language_model"));
        assertEquals(TaskKind.FORECAST, TaskKind.fromName("FORECAST"));
        assertEquals(TaskKind.FORECAST, TaskKind.ofModelTask("forecaster"));
        assertEquals(TaskKind.CLASSIFY, TaskKind.ofModelTask("classifier"));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> TaskKind.fromName("poems"));
        assertEquals(Setting.TASK, e.setting());
        assertTrue(e.getMessage().startsWith("task:") && e.getMessage().contains("'poems'"), e.getMessage());
        assertTrue(e.message(s -> "--" + s.id()).startsWith("--task:"), "named as the caller names settings");
        assertThrows(IllegalArgumentException.class, () -> TaskKind.ofModelTask("translator"));
    }
}
