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
        assertEquals(0f, classify.weightDecay());
        assertEquals(0f, classify.labelSmoothing());
        assertEquals(0f, classify.tokenDropout());
        TrainingOptions regularised = base(TaskKind.CLASSIFY).optWeightDecay(0.05f).optLabelSmoothing(0.1f)
                .optTokenDropout(0.2f).build();
        assertEquals(0.05, regularised.hyperparameters().get("weight_decay"));
        assertEquals(0.1, regularised.hyperparameters().get("label_smoothing"));
        assertEquals(0.2, regularised.hyperparameters().get("token_dropout"));
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
        assertMessage(Setting.WEIGHT_DECAY, "weightDecay: expected a factor in [0, 1] but got -0.1",
                () -> base(TaskKind.CLASSIFY).optWeightDecay(-0.1f).build());
        assertMessage(Setting.LABEL_SMOOTHING, "labelSmoothing: expected a share in [0, 1) but got 1.0",
                () -> base(TaskKind.CLASSIFY).optLabelSmoothing(1f).build());
        assertMessage(Setting.TOKEN_DROPOUT, "tokenDropout: expected a rate in [0, 1) but got NaN",
                () -> base(TaskKind.CLASSIFY).optTokenDropout(Float.NaN).build());
        assertMessage(Setting.LABEL_SMOOTHING, "labelSmoothing: only a classifier's targets can be smoothed; a "
                + "forecast model predicts a value (use 0)",
                () -> base(TaskKind.FORECAST).optLabelSmoothing(0.1f).build());
        assertMessage(Setting.TOKEN_DROPOUT, "tokenDropout: applies to a word classifier only, not to a "
                + "language-model model (use 0)",
                () -> base(TaskKind.LANGUAGE_MODEL).optTokenDropout(0.1f).build());
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
