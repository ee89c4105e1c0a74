package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.train.ConsoleProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One global model over three stores of very different levels in one long file: per-series scaling in the model,
 * per-series and aggregate scores, relative intervals, and the runtime forecasting each store in its own units.
 */
class GlobalForecastTrainingTest {
    @TempDir
    Path dir;

    @Test
    void aSeriesConstantInItsTrainingPartIsRefusedByName() throws Exception {
        Path csv = PanelFiles.stores(dir.resolve("flat.csv"), new double[] {10, 200}, new int[] {120, 120}, 3);
        // store B's sales stop varying: the scaler cannot standardise it, and the error must say which series
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).contains(",B,")) {
                lines.set(i, lines.get(i).substring(0, lines.get(i).lastIndexOf(',') + 1) + "200.000");
            }
        }
        Files.write(csv, lines);
        TrainingOptions options = TrainingOptions.builder().setTask(TaskKind.FORECAST).setCell(CellKind.GRU)
                .setOut(dir.resolve("flat.onnx")).optData(csv).optTarget("sales").optTime("month")
                .optSeries("store").optHidden(8).optEpochs(1).optTrials(1).optRunDirectory(dir.resolve("flat-run"))
                .optCommandLine("stepwise test").build();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ModelTraining.train(options, new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8), ConsoleProgress.Mode.OFF));
        assertTrue(e.getMessage().contains("store B") && e.getMessage().contains("column 'sales' is constant (200.0)")
                && e.getMessage().contains("training part"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("flat.onnx")), "nothing is written");
    }

    @Test
    void trainsOneModelOverSeveralSeriesAndForecastsEach() throws Exception {
        double[] levels = {10, 200, 5000};
        Path csv = PanelFiles.stores(dir.resolve("stores.csv"), levels, new int[] {120, 120, 96}, 3);
        TrainingOptions options = TrainingOptions.builder().setTask(TaskKind.FORECAST).setCell(CellKind.GRU)
                .setOut(dir.resolve("stores.onnx")).optData(csv).optTarget("sales").optTime("month")
                .optSeries("store").optHidden(8).optEpochs(2).optTrials(1).optRunDirectory(dir.resolve("run"))
                .optCommandLine("stepwise test").build();
        assertEquals(12, options.season());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainedModel trained = ModelTraining.train(options, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                ConsoleProgress.Mode.OFF);
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("3 series in column 'store' (96 to 120 rows each), one global model"), log);

        Map<String, Double> metrics = trained.metrics();
        assertEquals(3.0, metrics.get("series"));
        double mean = 0;
        for (String key : List.of("A", "B", "C")) {
            assertTrue(metrics.containsKey("series:" + key + ":test_mase"), metrics.toString());
            assertTrue(metrics.containsKey("series:" + key + ":baseline_snaive_mase"), metrics.toString());
            double own = metrics.get("series:" + key + ":test_interval_80_coverage");
            assertTrue(own >= 0 && own <= 1, "coverage of " + key + ": " + own);
            mean += metrics.get("series:" + key + ":test_mase") / 3;
        }
        assertEquals(mean, metrics.get("test_mase"), 1e-9, "the aggregate is the mean of the series' MASEs");
        double coverage = metrics.get("test_interval_80_coverage");
        assertTrue(coverage >= 0 && coverage <= 1, "coverage " + coverage);
        List<String> table = Files.readAllLines(dir.resolve("run").resolve(SeriesMetricsFile.NAME));
        assertEquals(4, table.size());
        assertTrue(table.get(0).startsWith("store,test_mase,baseline_snaive_mase,ratio"), table.get(0));
        assertTrue(table.get(3).startsWith("C,"), table.get(3));

        try (RecurrentModel model = RecurrentModel.load(trained.model())) {
            ModelInfo info = model.info();
            assertTrue(info.scaling().isEmpty(), "a global model's scaling is per series");
            assertEquals(List.of("A", "B", "C"), info.series().get("keys"));
            // Flat stores: their seasonal changes do not grow with the level, so the bands stay in scaling units.
            assertTrue(metrics.get("interval_level_dependence") < ForecastIntervals.LEVEL_DEPENDENCE,
                    metrics.toString());
            assertEquals("validation_residual_quantiles", info.intervals().get("method"));
            ModelEvaluation.Result result = ModelEvaluation.evaluate(model, null);
            assertTrue(result.matchesRecorded(), result.measured() + " vs " + result.recorded());

            Forecaster global = new Forecaster(model);
            double[][] history = new double[global.minimumHistory()][];
            for (int s = 0; s < levels.length; s++) {
                for (int t = 0; t < history.length; t++) {
                    history[t] = new double[] {levels[s] * (1 + 0.1 * Math.sin(2 * Math.PI * t / 12))};
                }
                String key = String.valueOf((char) ('A' + s));
                Forecast f = global.forSeries(key).forecast(history, 3, "2014-12");
                assertEquals(key, f.seriesKey().orElseThrow());
                // Each store comes back in its own units: even a barely trained network's output, unscaled with
                // the store's own mean and std, lands near that store's level and far from the others'.
                assertTrue(f.value(1, 0) > levels[s] / 3 && f.value(1, 0) < levels[s] * 3,
                        key + ": " + f.value(1, 0));
                assertTrue(f.interval(0.8).orElseThrow().upper(1, 0) >= f.value(1, 0));
            }
            assertFalse(global.seriesKeys().isEmpty());
        }
    }
}
