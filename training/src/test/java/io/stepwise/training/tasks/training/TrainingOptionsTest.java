package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TrainingOptionsTest {
    private static TrainingOptions.Builder base(TaskKind task) {
        return TrainingOptions.builder().setTask(task).setCell(CellKind.LSTM).setOut(Path.of("m.onnx"));
    }

    @Test
    void unsetValuesTakeTheTaskDefaults() {
        TrainingOptions classify = base(TaskKind.CLASSIFY).build();
        assertTrue(classify.bidirectional());
        TrainingOptions lm = base(TaskKind.LANGUAGE_MODEL).optHidden(64).build();
        assertEquals(64, lm.hidden());
        assertEquals(TrainingOptions.defaults(TaskKind.LANGUAGE_MODEL, CellKind.LSTM, Path.of("m.onnx")).bptt(),
                lm.bptt());
        assertEquals("m", lm.modelName());
    }

    /** The Java API names settings as its builder does; the command line's names are TrainCommandTest's. */
    @Test
    void badValuesNameTheSettingAndTheValue() {
        assertMessage(Setting.HIDDEN, "hidden: expected ≥ 1 but got 0",
                () -> base(TaskKind.CLASSIFY).optHidden(0).build());
        assertMessage(Setting.DROPOUT, "dropout: expected a rate in [0, 1) but got 1.5",
                () -> base(TaskKind.CLASSIFY).optDropout(1.5f).build());
        assertMessage(Setting.LEARNING_RATE, "learningRate: expected a learning rate in (0, 1] but got -1.0",
                () -> base(TaskKind.CLASSIFY).optLearningRate(-1f).build());
        assertMessage(Setting.HORIZON, "horizon: expected at most testLength (10) but got 20",
                () -> base(TaskKind.FORECAST).optHorizon(20).optTestLength(10).build());
        assertMessage(Setting.RESUME, "resume: needs runDirectory, the folder of the run to continue",
                () -> base(TaskKind.CLASSIFY).optResume(true).build());
        assertMessage(Setting.BATCH_SIZE, "batchSize: expected ≥ 1 but got 0",
                () -> base(TaskKind.CLASSIFY).optBatchSize(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> base(TaskKind.LANGUAGE_MODEL).optBidirectional(true).build());
        assertThrows(IllegalArgumentException.class, () -> TrainingOptions.builder().setTask(TaskKind.CLASSIFY)
                .setCell(CellKind.GRU).setOut(Path.of("model.bin")).build());
    }

    private static void assertMessage(Setting setting, String expected,
                                      org.junit.jupiter.api.function.Executable executable) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, executable);
        assertEquals(setting, e.setting());
        assertEquals(expected, e.getMessage());
    }
}
