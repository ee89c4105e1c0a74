package io.stepwise.training.tasks.training;

import io.stepwise.training.data.Metrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * The per-series test scores of a global forecaster, {@value #NAME} in the run folder: one row per series with the
 * model's and seasonal naive's MASE, MAE and RMSE over that series' test tail and their ratio, so a user sees which
 * series the global model serves worse than the baseline. Written atomically.
 */
final class SeriesMetricsFile {
    /** The file's name in the run folder. */
    static final String NAME = "series_metrics.csv";

    private SeriesMetricsFile() {
    }

    /**
     * @param scores per series, the model's [0] and the baseline's [1] test scores, in the order of {@code keys}
     */
    static void write(Path file, String seriesColumn, List<String> keys, List<Metrics.Forecast[]> scores) {
        StringBuilder sb = new StringBuilder(cell(seriesColumn)).append(",test_mase,baseline_snaive_mase,ratio,"
                + "test_mae,baseline_snaive_mae,test_rmse,baseline_snaive_rmse\n");
        for (int s = 0; s < keys.size(); s++) {
            Metrics.Forecast m = scores.get(s)[0];
            Metrics.Forecast b = scores.get(s)[1];
            sb.append(cell(keys.get(s))).append(String.format(Locale.ROOT, ",%.6g,%.6g,%.4f,%.6g,%.6g,%.6g,%.6g%n",
                    m.mase(), b.mase(), m.mase() / b.mase(), m.mae(), b.mae(), m.rmse(), b.rmse()));
        }
        try {
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(temp, sb, StandardCharsets.UTF_8);
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String cell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n")
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
