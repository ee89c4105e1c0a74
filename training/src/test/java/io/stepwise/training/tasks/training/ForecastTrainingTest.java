package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.runtime.forecast.Frequency;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.train.ConsoleProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A forecaster trained on a user's file as it comes: several columns, newest first, a missing month, a covariate;
 * the model records the frequency, intervals and the settings search, and the runtime dates its forecasts.
 */
class ForecastTrainingTest {
    @TempDir
    Path dir;

    /** 130 months of sales with a yearly cycle and a price covariate, newest first, 2005-06 missing. */
    private Path salesFile() throws Exception {
        Random random = new Random(5);
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 130; i++) {
            int year = 2000 + i / 12;
            int month = i % 12 + 1;
            if (year == 2005 && month == 6) {
                continue;
            }
            double price = 10 + 0.01 * i;
            double sales = 100 + 0.2 * i + 8 * Math.sin(2 * Math.PI * i / 12) - 2 * (price - 10)
                    + random.nextGaussian();
            rows.add(String.format(Locale.ROOT, "%04d-%02d,%d,%.2f,%.3f", year, month, i % 7, price, sales));
        }
        Collections.reverse(rows);
        Path csv = dir.resolve("sales.csv");
        Files.writeString(csv, "month,store_code,price,sales\n" + String.join("\n", rows) + "\n");
        return csv;
    }

    @Test
    void trainsOnAUsersFileAndRecordsWhatItFoundAndChose() throws Exception {
        Path csv = salesFile();
        TrainingOptions options = TrainingOptions.builder().setTask(TaskKind.FORECAST).setCell(CellKind.GRU)
                .setOut(dir.resolve("sales.onnx")).optData(csv).optTarget("sales").optFeatures(List.of("price"))
                .optHidden(8).optEpochs(2).optTrials(2).optRunDirectory(dir.resolve("run"))
                .optCommandLine("stepwise test").build();
        assertEquals(12, options.season());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainedModel trained = ModelTraining.train(options, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                ConsoleProgress.Mode.OFF);
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("settings: season 12 (derived), window 24 (derived), horizon 12 (derived)"), log);
        assertTrue(log.contains("epochs 2 (given)"), log);
        assertTrue(log.contains("target 'sales', covariates [price], time 'month': monthly, newest first: reversed, "
                + "1 missing row inserted and interpolated (2005-06)"), log);
        assertTrue(log.contains("settings search: 2 trial(s)") && log.contains("settings search: chose trial"), log);
        assertTrue(Files.isRegularFile(dir.resolve("run/trial-1/sales.onnx")));
        assertTrue(Files.isRegularFile(dir.resolve("run/trial-2/sales.onnx")));

        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            ModelInfo info = model.info();
            assertEquals("monthly", info.frequency().orElseThrow());
            assertEquals(List.of("sales", "price"), info.featureNames());
            assertEquals(List.of(0.8, 0.95), info.intervals().get("levels"));
            @SuppressWarnings("unchecked")
            Map<String, Object> search = (Map<String, Object>) info.training().get("search");
            assertEquals(2, ((List<?>) search.get("trials")).size());
            assertTrue(trained.metrics().containsKey("test_interval_80_coverage"));
            double coverage = trained.metrics().get("test_interval_80_coverage");
            assertTrue(coverage >= 0 && coverage <= 1, "coverage " + coverage);
            // Validation 24 rows, horizon 12: 13 rolling origins, so 13 errors per step (none of those rows was
            // missing), of which ⌈13 / step⌉ count as independent: too few for the 95 % rank (19) at every step and
            // for the 80 % rank (4) from step 5, which is said in the model, the output and the card.
            @SuppressWarnings("unchecked")
            Map<String, Object> calibration = (Map<String, Object>) info.intervals().get("calibration");
            assertEquals("split_conformal", calibration.get("quantile"));
            assertEquals(Collections.nCopies(12, 13L), calibration.get("validation_errors_per_step"));
            assertEquals(List.of(13L, 7L, 5L, 4L, 3L, 3L, 2L, 2L, 2L, 2L, 2L, 2L),
                    calibration.get("independent_errors_per_step"));
            assertEquals(List.of(0.8, 0.95), calibration.get("extrapolated_levels"));
            assertTrue(log.contains("on 13 validation forecasts per step (13 to 2 independent); 80 %, 95 % "
                    + "extrapolated"), log);
            assertTrue(log.contains("test values inside the 80 % interval "), log);
            String card = Files.readString(trained.card());
            assertTrue(card.contains("test values inside the 80 % interval ") && card.contains(", inside the 95 % "
                    + "interval ") && card.contains("too few independent errors for the levels [0.8, 0.95]"), card);
            @SuppressWarnings("unchecked")
            List<List<List<Double>>> lower = (List<List<List<Double>>>) info.intervals().get("lower");
            @SuppressWarnings("unchecked")
            List<List<List<Double>>> upper = (List<List<List<Double>>>) info.intervals().get("upper");
            assertEquals(-upper.get(0).get(0).get(0), lower.get(0).get(0).get(0), 0, "symmetric");
            // The evaluation protocol remembers the columns, so evaluate re-reads the same ones.
            ModelEvaluation.Result result = ModelEvaluation.evaluate(model, null);
            assertTrue(result.matchesRecorded(), result.measured() + " vs " + result.recorded());

            Forecaster forecaster = new Forecaster(model);
            assertEquals(Frequency.MONTHLY, forecaster.frequency().orElseThrow());
            assertEquals(options.window(), forecaster.minimumHistory());
            double[][] history = new double[forecaster.minimumHistory()][];
            for (int t = 0; t < history.length; t++) {
                history[t] = new double[] {120 + t % 12, 11.2};
            }
            Forecast f = forecaster.forecast(history, 3, "2010-10");
            assertEquals(List.of("2010-11", "2010-12", "2011-01"), f.dates());
            assertTrue(f.interval(0.95).orElseThrow().upper(3, 0) >= f.interval(0.8).orElseThrow().upper(3, 0));
        }
    }
}
