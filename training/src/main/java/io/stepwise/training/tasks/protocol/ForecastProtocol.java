package io.stepwise.training.tasks.protocol;

import io.stepwise.cli.SeriesCsvReader;
import io.stepwise.cli.TimeIndex;
import io.stepwise.runtime.forecast.Frequency;
import io.stepwise.training.data.Metrics;
import io.stepwise.training.data.SeasonalNaive;
import io.stepwise.training.data.SeriesSplit;
import io.stepwise.training.data.Standardizer;
import io.stepwise.training.data.TimeSeries;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a forecaster is measured: its series, split and scaling, and the rolling-origin metrics.
 *
 * <h2>Data</h2>
 * A CSV read by {@link #load} (default {@code data/timeseries/co2_weekly.csv}). <b>Missing values</b> are
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
     * A series as loaded for a forecaster: its columns selected (target first, then covariates) and its time stamps
     * checked and put on a regular grid.
     *
     * @param series   the regular series; inserted rows are all NaN
     * @param columns  the columns that were named
     * @param timeline what {@link TimeIndex} found and did, when the file has a time column
     */
    public record Loaded(TimeSeries series, ForecastColumns columns, Optional<TimeIndex.Report> timeline) {
        /** The frequency, when the file has a time column. */
        public Optional<Frequency> frequency() {
            return timeline.map(TimeIndex.Report::frequency);
        }

        /** e.g. {@code target 'sales', covariates [price], time 'date': monthly, oldest first, no gaps}. */
        public String describe() {
            List<String> cols = series.columns();
            return "target '" + cols.get(0) + "'" + (cols.size() > 1 ? ", covariates " + cols.subList(1, cols.size())
                    : "") + ", " + timeline.map(r -> "time '" + series.timeColumn() + "': " + r.describe())
                    .orElse("no time column: rows taken as equally spaced, in file order");
        }
    }

    /**
     * Reads {@code file} for a forecaster: checks the named columns against the header (an unknown name is refused,
     * listing the columns there are), never guesses a target among several value columns, and regularises the time
     * stamps ({@link TimeIndex}).
     *
     * @throws InvalidSettingException naming the column option at fault
     * @throws IllegalArgumentException for bad cells or time stamps (naming file, line or row, column and value)
     */
    public static Loaded load(Path file, ForecastColumns columns) {
        Panel panel = loadPanel(file, columns);
        if (panel.isGlobal()) {
            throw new InvalidSettingException(Setting.SERIES, file + " holds " + panel.keys().size() + " series in "
                    + "column '" + panel.seriesColumn() + "'; this reads one series (a global model over several "
                    + "series reads them all: Panel)");
        }
        return panel.series().get(0);
    }

    /**
     * The series of one file: one, or several in long format (a series-id column, {@code --series}), each loaded
     * and regularised on its own, in order of first appearance.
     *
     * @param seriesColumn the series-id column when the file holds more than one series, else null
     * @param keys         one per series ({@code ""} for a file of one series)
     * @param series       the series, each with its own time checks
     */
    public record Panel(String seriesColumn, List<String> keys, List<Loaded> series) {
        public Panel {
            keys = List.copyOf(keys);
            series = List.copyOf(series);
        }

        /** Whether there are several series, for one global model. */
        public boolean isGlobal() {
            return seriesColumn != null;
        }

        /** The common frequency, when the file has a time column. */
        public Optional<Frequency> frequency() {
            return series.get(0).frequency();
        }

        /** The rows of the shortest series (after gaps are filled): what derived settings must fit. */
        public int shortestLength() {
            return series.stream().mapToInt(l -> l.series().length()).min().orElse(0);
        }

        /** The key of the shortest series. */
        public String shortestKey() {
            int best = 0;
            for (int i = 1; i < series.size(); i++) {
                if (series.get(i).series().length() < series.get(best).series().length()) {
                    best = i;
                }
            }
            return keys.get(best);
        }
    }

    /**
     * Reads {@code file} for a forecaster, one series or several ({@link Panel}): the checks of {@link #load}, and for
     * several series, every series' time stamps checked on their own and all of one frequency.
     */
    public static Panel loadPanel(Path file, ForecastColumns columns) {
        List<String> header = SeriesCsvReader.header(file);
        check(file, header, Setting.TIME, columns.time());
        check(file, header, Setting.SERIES, columns.series());
        check(file, header, Setting.TARGET, columns.target());
        for (String f : columns.features()) {
            check(file, header, Setting.FEATURES, f);
            if (f.equals(columns.target()) || f.equals(columns.time()) || f.equals(columns.series())) {
                throw new InvalidSettingException(Setting.FEATURES, "column '" + f + "' is already the target, time "
                        + "or series column");
            }
        }
        SeriesCsvReader reader = SeriesCsvReader.reader();
        if (columns.time() != null) {
            reader.optTimeColumn(columns.time());
        }
        if (columns.series() != null) {
            reader.optSeriesColumn(columns.series());
        }
        if (columns.target() != null) {
            List<String> names = new ArrayList<>();
            names.add(columns.target());
            names.addAll(columns.features());
            reader.optValueColumns(names.toArray(String[]::new));
        }
        SeriesCsvReader.Table table = reader.readFile(file);
        if (columns.target() == null && table.columns().size() > 1) {
            throw new InvalidSettingException(Setting.TARGET, names -> file + " has " + table.columns().size()
                    + " value columns " + table.columns() + "; name the one to forecast with "
                    + names.apply(Setting.TARGET) + " (and any covariates with " + names.apply(Setting.FEATURES)
                    + ")" + table.timeColumn().map(t -> "; '" + t + "' was taken as the time column").orElse(""));
        }
        Map<String, SeriesCsvReader.Table> parts = table.bySeries();
        List<String> keys = new ArrayList<>(parts.keySet());
        List<Loaded> series = new ArrayList<>();
        Optional<Frequency> frequency = Optional.empty();
        for (String key : keys) {
            Loaded one = regular(parts.get(key), columns, frequency);
            if (series.isEmpty()) {
                frequency = one.frequency();
            }
            series.add(one);
        }
        boolean global = table.seriesColumn().isPresent() && keys.size() > 1;
        return new Panel(global ? table.seriesColumn().get() : null, global ? keys : List.of(""), series);
    }

    /** One series' table on a regular time grid (the first series' frequency is expected of the others). */
    private static Loaded regular(SeriesCsvReader.Table table, ForecastColumns columns, Optional<Frequency> expected) {
        if (table.timeColumn().isEmpty()) {
            return new Loaded(new TimeSeries(table.source(), null, List.of(), table.columns(), table.values()),
                    columns, Optional.empty());
        }
        TimeIndex.Regular regular = TimeIndex.regularize(table.source(), table.timeColumn().get(),
                table.timeStamps(), table.values(), expected);
        return new Loaded(new TimeSeries(table.source(), table.timeColumn().get(), regular.timeStamps(),
                table.columns(), regular.values()), columns, Optional.of(regular.report()));
    }

    private static void check(Path file, List<String> header, Setting setting, String column) {
        if (column != null && !header.contains(column)) {
            throw new InvalidSettingException(setting, "no column '" + column + "' in " + file + "; its columns are "
                    + header);
        }
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
                           int season, ForecastColumns columns) {
        /** A protocol over the default columns. */
        public Protocol(String data, int validationLength, int testLength, int window, int horizon, int season) {
            this(data, validationLength, testLength, window, horizon, season, ForecastColumns.DEFAULT);
        }

        /** Reads the protocol recorded in a model. */
        public static Protocol from(Map<String, Object> protocol) {
            return new Protocol(EvaluationProtocol.string(protocol, "data"),
                    EvaluationProtocol.integer(protocol, "validation_length"),
                    EvaluationProtocol.integer(protocol, "test_length"),
                    EvaluationProtocol.integer(protocol, "window"), EvaluationProtocol.integer(protocol, "horizon"),
                    EvaluationProtocol.integer(protocol, "season"), ForecastColumns.from(protocol));
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
            m.putAll(columns.toMap());
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
     * @param timeline  what the time-stamp checks found and did, when the file has a time column
     */
    public record Series(TimeSeries raw, double[][] values, boolean[][] filled, SeriesSplit split,
                         Standardizer scaling, double maseScale, int season, Optional<TimeIndex.Report> timeline) {
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
        return prepare(load(file, ForecastColumns.DEFAULT), window, validationLength, testLength, season, horizon,
                scaleHeadroom);
    }

    /** Prepares a loaded series: interpolation, split, scaling and the MASE scale. */
    public static Series prepare(Loaded loaded, int window, int validationLength, int testLength, int season,
                                 int horizon, double scaleHeadroom) {
        TimeSeries raw = loaded.series();
        String file = raw.source();
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
        Standardizer fitted;
        try {
            fitted = Standardizer.fit(split.train(values), raw.columns());
        } catch (IllegalArgumentException e) {
            // Name the series: its source says which series of a long file.
            throw new IllegalArgumentException(file + ": its training part (the first " + split.trainLength()
                    + " rows) cannot be scaled: " + e.getMessage() + "; a forecaster needs values that vary before"
                    + " the validation and test parts", e);
        }
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
        return new Series(raw, values, filled.filled(), split, scaling, scale, season, loaded.timeline());
    }

    /** The series a recorded protocol names, from {@code file}, scaled as at evaluation (headroom 1). */
    public static Series prepare(Path file, Protocol protocol) {
        return prepare(load(file, protocol.columns()), protocol.window(), protocol.validationLength(),
                protocol.testLength(), protocol.season(), protocol.horizon(), 1.0);
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
