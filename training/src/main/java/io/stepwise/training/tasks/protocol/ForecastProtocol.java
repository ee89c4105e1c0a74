package io.stepwise.training.tasks.protocol;

import io.stepwise.training.data.Metrics;
import io.stepwise.training.data.SeasonalNaive;
import io.stepwise.training.data.SeriesCsv;
import io.stepwise.training.data.SeriesSplit;
import io.stepwise.training.data.Standardizer;
import io.stepwise.training.data.TimeSeries;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a forecaster is measured: its series, split and scaling, and the rolling-origin metrics.
 *
 * <h2>Data</h2>
 * A CSV read by {@link SeriesCsv} (default {@code data/timeseries/co2_weekly.csv}). <b>Missing values</b> are
 * filled by linear interpolation ({@link TimeSeries#interpolate()}) so that inputs are complete, and are
 * <em>never scored</em>: every error metric skips targets that were missing in the file. The series is split
 * chronologically into training, validation ({@code validationLength} steps) and a held-out test tail
 * ({@code testLength} steps). Scaling (mean and std per column) is fitted on the training part only.
 *
 * <h2>Metric (rolling origin)</h2>
 * For every origin {@code o} in the evaluated region with {@code o + horizon} inside it (stride 1), the model reads
 * the {@code window} observed rows before {@code o} from a zero state and forecasts {@code horizon} steps by
 * feeding each prediction back; each forecast step is compared with the actual value of the first column. MAE and
 * RMSE are in the series' units; MASE divides the MAE by the in-sample MAE of the seasonal-naive forecast on the
 * training part (season {@code season}). The baseline is the seasonal-naive forecast from the same origins. The
 * recorded test metrics use origins inside the tail.
 */
public final class ForecastProtocol {
    /** Primary metric: MASE of the rolling-origin forecasts over the test tail. */
    public static final String TEST_MASE = "test_mase";
    public static final String TEST_MAE = "test_mae";
    public static final String TEST_RMSE = "test_rmse";
    public static final String BASELINE_MASE = "baseline_snaive_mase";
    public static final String BASELINE_MAE = "baseline_snaive_mae";
    public static final String BASELINE_RMSE = "baseline_snaive_rmse";
    /** Default data file, relative to the Stepwise folder. */
    public static final Path DEFAULT_DATA = Path.of("data", "timeseries", "co2_weekly.csv");

    private ForecastProtocol() {
    }

    /**
     * The protocol as recorded in a model.
     *
     * @param data             the CSV file
     * @param validationLength validation steps before the tail
     * @param testLength       the held-out tail in steps
     * @param window           rows read before each origin
     * @param horizon          steps forecast from each origin
     * @param season           season of the seasonal-naive baseline and of the MASE scale
     */
    public record Protocol(String data, int validationLength, int testLength, int window, int horizon,
                           int season) {
        /** Reads the protocol recorded in a model. */
        public static Protocol from(Map<String, Object> protocol) {
            return new Protocol(EvaluationProtocol.string(protocol, "data"),
                    EvaluationProtocol.integer(protocol, "validation_length"),
                    EvaluationProtocol.integer(protocol, "test_length"),
                    EvaluationProtocol.integer(protocol, "window"), EvaluationProtocol.integer(protocol, "horizon"),
                    EvaluationProtocol.integer(protocol, "season"));
        }

        /** The JSON object recorded in the model, with a description of the metric. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data", data);
            m.put("validation_length", validationLength);
            m.put("test_length", testLength);
            m.put("window", window);
            m.put("horizon", horizon);
            m.put("season", season);
            m.put("metric", "rolling origin over the test tail, stride 1: from each origin the previous " + window
                    + " rows are read and " + horizon + " steps forecast; MASE scaled by the in-sample "
                    + "seasonal-naive MAE (season " + season + ") of the training part; missing values interpolated"
                    + " as inputs and never scored");
            return m;
        }
    }

    /**
     * A prepared series. Its arrays are shared, not copied (they are read in tight loops); treat them as
     * read-only.
     *
     * @param raw       the series as read
     * @param values    interpolated values, [time][column]
     * @param filled    which values were missing in the file, [time][column]
     * @param split     training, validation and test parts
     * @param scaling   the stored scaling (training mean, training std × headroom)
     * @param maseScale in-sample seasonal-naive MAE of the first column's training part
     * @param season    the season of that MAE and of the baseline
     */
    public record Series(TimeSeries raw, double[][] values, boolean[][] filled, SeriesSplit split,
                         Standardizer scaling, double maseScale, int season) {
        /** The values scaled with {@link #scaling()}. */
        public double[][] scaled() {
            return scaling.transform(values);
        }

        /** The first column, the evaluated target. */
        public double[] target() {
            double[] column = new double[values.length];
            for (int t = 0; t < values.length; t++) {
                column[t] = values[t][0];
            }
            return column;
        }
    }

    /**
     * Reads and prepares a series: interpolation, split, scaling and the MASE scale.
     *
     * @param scaleHeadroom the stored std is the training std times this (≥ 1)
     * @throws InvalidSettingException when the series is too short for the settings, or the horizon does not fit
     *                                 the validation part
     */
    public static Series prepare(Path file, int window, int validationLength, int testLength, int season,
                                 int horizon, double scaleHeadroom) {
        TimeSeries raw = SeriesCsv.read(file);
        int n = raw.length();
        int needed = window + season + validationLength + testLength + 1;
        if (n < needed) {
            throw new InvalidSettingException(Setting.DATA, names -> file + " has " + n + " rows; "
                    + names.apply(Setting.WINDOW) + " " + window + ", " + names.apply(Setting.SEASON) + " " + season
                    + ", " + names.apply(Setting.VALIDATION_LENGTH) + " " + validationLength + " and "
                    + names.apply(Setting.TEST_LENGTH) + " " + testLength + " need at least " + needed);
        }
        if (horizon > validationLength) {
            throw new InvalidSettingException(Setting.HORIZON, names -> "expected at most "
                    + names.apply(Setting.VALIDATION_LENGTH) + " (" + validationLength + ") but got " + horizon);
        }
        TimeSeries.Interpolation filled = raw.interpolate();
        double[][] values = filled.series().valuesCopy();
        SeriesSplit split = SeriesSplit.ofTail(n, validationLength, testLength);
        Standardizer fitted = Standardizer.fit(split.train(values));
        double[] std = fitted.std().clone();
        for (int c = 0; c < std.length; c++) {
            std[c] *= scaleHeadroom;
        }
        Standardizer scaling = new Standardizer(fitted.mean(), std);
        double[] train = new double[split.trainLength()];
        for (int t = 0; t < train.length; t++) {
            train[t] = values[t][0];
        }
        double scale = SeasonalNaive.inSampleMae(train, season);
        return new Series(raw, values, filled.filled(), split, scaling, scale, season);
    }

    /** The series a recorded protocol names, from {@code file}, scaled as at evaluation (headroom 1). */
    public static Series prepare(Path file, Protocol protocol) {
        return prepare(file, protocol.window(), protocol.validationLength(), protocol.testLength(),
                protocol.season(), protocol.horizon(), 1.0);
    }

    /** Origins o in [from, to − horizon], stride 1: every forecast stays inside [from, to). */
    public static int[] origins(int from, int to, int horizon) {
        int count = to - horizon - from + 1;
        int[] origins = new int[Math.max(0, count)];
        for (int i = 0; i < origins.length; i++) {
            origins[i] = from + i;
        }
        return origins;
    }

    /** Origins of the test metrics: inside the held-out tail. */
    public static int[] testOrigins(Series data, int horizon) {
        return origins(data.split().testStart(), data.values().length, horizon);
    }

    /**
     * Errors of the first column's forecasts against the observed (never the interpolated) values.
     *
     * @param forecasts [origin][step][feature], in the series' units
     */
    public static Metrics.Forecast score(Series data, int[] origins, double[][][] forecasts) {
        List<Double> actual = new ArrayList<>();
        List<Double> predicted = new ArrayList<>();
        for (int i = 0; i < origins.length; i++) {
            for (int h = 0; h < forecasts[i].length; h++) {
                int t = origins[i] + h;
                if (!data.filled()[t][0]) {
                    actual.add(data.values()[t][0]);
                    predicted.add(forecasts[i][h][0]);
                }
            }
        }
        if (actual.isEmpty()) {
            throw new IllegalArgumentException("data: no observed values to score in the evaluated region");
        }
        double[] a = actual.stream().mapToDouble(Double::doubleValue).toArray();
        double[] p = predicted.stream().mapToDouble(Double::doubleValue).toArray();
        return new Metrics.Forecast(Metrics.mae(a, p), Metrics.rmse(a, p), Metrics.mase(a, p, data.maseScale()));
    }

    /** Seasonal-naive forecasts from the same origins, [origin][step][1]. */
    public static double[][][] seasonalNaive(Series data, int[] origins, int horizon) {
        double[] target = data.target();
        double[][][] result = new double[origins.length][horizon][1];
        for (int i = 0; i < origins.length; i++) {
            double[] f = SeasonalNaive.forecast(Arrays.copyOfRange(target, 0, origins[i]), data.season(), horizon);
            for (int h = 0; h < horizon; h++) {
                result[i][h][0] = f[h];
            }
        }
        return result;
    }

    /** The test metrics ({@value #TEST_MASE}, {@value #TEST_MAE}, {@value #TEST_RMSE}) of a scored forecast. */
    public static Map<String, Double> testMetrics(Metrics.Forecast forecast) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(TEST_MASE, forecast.mase());
        m.put(TEST_MAE, forecast.mae());
        m.put(TEST_RMSE, forecast.rmse());
        return m;
    }
}
