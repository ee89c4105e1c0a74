package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.train.ConsoleProgress;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A covariate known in advance (a planned promotion): recorded in the model, given at forecast time. */
class KnownFeaturesTrainingTest {
    @TempDir
    Path dir;

    private Path promotions() throws Exception {
        Random random = new Random(11);
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            int promo = random.nextInt(4) == 0 ? 1 : 0;
            double sales = 100 + 10 * Math.sin(2 * Math.PI * i / 12) + 30 * promo + random.nextGaussian();
            rows.add(String.format(Locale.ROOT, "%04d-%02d,%d,%.3f", 2000 + i / 12, i % 12 + 1, promo, sales));
        }
        Path csv = dir.resolve("promo.csv");
        Files.writeString(csv, "month,promo,sales\n" + String.join("\n", rows) + "\n");
        return csv;
    }

    @Test
    void aModelWithAKnownCovariateTakesItsFutureValues() throws Exception {
        Path csv = promotions();
        TrainingOptions options = TrainingOptions.builder().setTask(TaskKind.FORECAST).setCell(CellKind.GRU)
                .setOut(dir.resolve("promo.onnx")).optData(csv).optTarget("sales").optFeatures(List.of("promo"))
                .optKnownFeatures(List.of("promo")).optHidden(8).optEpochs(2).optTrials(1)
                .optRunDirectory(dir.resolve("run")).optCommandLine("stepwise test").build();
        TrainedModel trained = ModelTraining.train(options, new PrintStream(OutputStream.nullOutputStream()),
                ConsoleProgress.Mode.OFF);
        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            assertEquals(List.of("promo"), model.info().forecast().get("known_features"));
            ModelEvaluation.Result result = ModelEvaluation.evaluate(model, null);
            assertTrue(result.matchesRecorded(), result.measured() + " vs " + result.recorded());
            Forecaster forecaster = new Forecaster(model);
            assertEquals(List.of("promo"), forecaster.knownFeatures());
            double[][] history = new double[forecaster.minimumHistory()][];
            for (int t = 0; t < history.length; t++) {
                history[t] = new double[] {100 + 10 * Math.sin(2 * Math.PI * t / 12), 0};
            }
            Forecast f = forecaster.forecast(history, new double[][] {{0}, {1}, {1}, {0}}, "2010-10");
            assertEquals(List.of("2010-11", "2010-12", "2011-01", "2011-02"), f.dates());
            assertArrayEquals(new double[] {0, 1, 1, 0}, f.series("promo"), 0);
            assertThrows(IllegalArgumentException.class, () -> forecaster.forecast(history, 4));
        }
    }

    @Test
    void aKnownColumnMustBeACovariate() throws Exception {
        Path csv = promotions();
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> TrainingOptions.builder()
                .setTask(TaskKind.FORECAST).setCell(CellKind.GRU).setOut(dir.resolve("x.onnx")).optData(csv)
                .optTarget("sales").optKnownFeatures(List.of("promo")).build());
        assertEquals(Setting.KNOWN_FEATURES, e.setting());
        assertTrue(e.getMessage().contains("'promo' is not one of the covariates []"), e.getMessage());
    }
}
