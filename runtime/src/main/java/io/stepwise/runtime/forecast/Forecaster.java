package io.stepwise.runtime.forecast;

import io.stepwise.runtime.ModelFormat.Task;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.RunLimits;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * Multi-step forecasts from a recurrent forecaster ({@code stepwise.task = forecaster}): a model that reads one
 * row of F scaled features per step and outputs its prediction of the next row (output size F).
 *
 * <p>{@link #forecast(double[][], int)} works in the series' own units:
 * <ol>
 *   <li>missing values (NaN) in the history are filled per feature by linear interpolation between the nearest
 *       known values before and after; a gap at the start or end takes the nearest known value. A feature with no
 *       known value at all, or any infinite value, is refused;</li>
 *   <li>every value is scaled with the model's {@code stepwise.scaling}: model value = (x − mean) / std (no
 *       scaling metadata = identity);</li>
 *   <li>the whole history is fed in one call; the last output is the first forecast step, and each predicted row
 *       is fed back to get the next (autoregressive), {@code horizon} times;</li>
 *   <li>predictions are unscaled: x = model value · std + mean.</li>
 * </ol>
 * For a live series use {@link #openStream()}, which carries the state between observations.
 *
 * <p><b>Too short a history is refused.</b> A model that records its training window ({@code stepwise.forecast}
 * {@code "window"}) was trained to forecast after reading that many rows; from fewer, its state has not warmed up
 * and the forecast is silently wrong (one CO2 value gives ~363 ppm instead of ~417). {@link #forecast} and
 * {@link ForecastStream#forecast} therefore refuse a history shorter than {@link #minimumHistory()}, naming the
 * number needed; {@link #withMinimumHistory(int)} accepts less on purpose.
 *
 * <p><b>Intervals and dates.</b> A model that carries prediction intervals ({@code stepwise.intervals}: per step,
 * split-conformal quantiles of its validation forecasts' absolute errors — older models: empirical quantiles of the
 * signed errors — in model units) returns them with every forecast, scaled back to the
 * series' units; beyond the stored steps the last stored step's width is used. A model that records its
 * {@link #frequency()} dates the forecast steps after the history's last time stamp
 * ({@link #forecast(double[][], int, String)}).
 *
 * <p><b>Several series, one model.</b> A global forecaster, trained over many series of one file (a series-id
 * column), stores each series' scaling ({@code stepwise.series}) instead of one; pick the series with
 * {@link #forSeries(String)} before forecasting (a forecast without one is refused, listing the keys). Intervals
 * whose method is {@value #RELATIVE_INTERVALS} are shares of the forecast value, so their width follows the
 * series' level.
 *
 * <p><b>Covariates known in advance.</b> A model trained with some covariates' future values known
 * ({@link #knownFeatures()}, e.g. a calendar or a planned price) takes them over the horizon:
 * {@link #forecast(double[][], double[][])} feeds the given values instead of its own predictions of them, and a
 * forecast without them is refused.
 *
 * <p>Each forecast opens its own session from the {@link SessionSource} (a {@link RecurrentModel}, or a front
 * that batches many sessions), so one forecaster may serve several threads; it does not own the source, which must
 * stay open while the forecaster is used.
 */
public final class Forecaster {
    /**
     * The {@code stepwise.intervals} method whose offsets are shares of the forecast value (bound = forecast +
     * offset × |forecast|) rather than of the scaling std.
     */
    public static final String RELATIVE_INTERVALS = "validation_relative_residual_quantiles";
    private final List<String> featureNames;
    private final double[] mean;
    private final double[] std;
    private final OptionalInt defaultHorizon;
    private final Supplier<Session> sessions;
    private final int minimumHistory;
    private final Optional<Frequency> frequency;
    private final IntervalTable intervals;
    private final RunLimits limits;
    private final SeriesTable seriesTable;
    private final String seriesKey;
    private final KnownFuture known;

    /**
     * A forecaster over the sessions of {@code model}.
     *
     * @throws IllegalArgumentException when the model is not a feature-input, per-step model whose output size
     *                                  equals its feature count
     */
    public Forecaster(RecurrentModel model) {
        this((SessionSource) Objects.requireNonNull(model, "model"));
    }

    /**
     * A forecaster over the sessions of {@code source}, e.g. a batching front.
     *
     * @throws IllegalArgumentException when the model is not a feature-input, per-step model whose output size
     *                                  equals its feature count
     */
    public Forecaster(SessionSource source) {
        Objects.requireNonNull(source, "source");
        ModelInfo info = source.info();
        if (info.task() != Task.FORECASTER && info.task() != Task.UNKNOWN) {
            throw new IllegalArgumentException("model: Forecaster needs task " + Task.FORECASTER
                    + " but the model's task is " + info.task());
        }
        if (info.isTokenInput() || !info.isPerStep()) {
            throw new IllegalArgumentException("model: Forecaster needs feature input and a per_step head but the"
                    + " model has " + info.inputKind() + " input and a " + info.head() + " head");
        }
        int features = info.inputSize();
        if (info.outputSize() != features) {
            throw new IllegalArgumentException("model: a forecaster predicts the next step of its own features, so"
                    + " its output size must equal its " + features + " input features, but it is "
                    + info.outputSize());
        }
        double[] m = new double[features];
        double[] s = new double[features];
        Arrays.fill(s, 1.0);
        if (info.scaling().isPresent()) {
            m = info.scaling().get().mean();
            s = info.scaling().get().std();
        }
        Object horizon = info.forecast().get("horizon");
        this.featureNames = names(info.featureNames(), features);
        this.mean = check(m, features, "scaling mean");
        this.std = check(s, features, "scaling std");
        this.defaultHorizon = horizon instanceof Number n && n.intValue() >= 1
                ? OptionalInt.of(n.intValue()) : OptionalInt.empty();
        this.sessions = source::newSession;
        this.limits = source.runLimits();
        Object window = info.forecast().get("window");
        this.minimumHistory = window instanceof Number n && n.intValue() >= 1 ? n.intValue() : 1;
        this.frequency = info.frequency().map(Frequency::fromWireName);
        this.seriesTable = info.series().isEmpty() ? null : SeriesTable.read(info.series(), features);
        this.seriesKey = null;
        this.known = KnownFuture.of(info.forecast(), featureNames);
        this.intervals = IntervalTable.of(info.intervals(), features);
    }

    private Forecaster(Forecaster base, int minimumHistory, String seriesKey) {
        this.featureNames = base.featureNames;
        this.seriesTable = base.seriesTable;
        this.seriesKey = seriesKey;
        if (seriesKey != null) {
            int s = seriesTable.index(seriesKey);
            this.mean = seriesTable.mean()[s].clone();
            this.std = seriesTable.std()[s].clone();
        } else {
            this.mean = base.mean;
            this.std = base.std;
        }
        this.known = base.known;
        this.defaultHorizon = base.defaultHorizon;
        this.sessions = base.sessions;
        this.minimumHistory = minimumHistory;
        this.frequency = base.frequency;
        this.intervals = base.intervals;
        this.limits = base.limits;
    }

    /** For tests: forecasting against any session. */
    Forecaster(List<String> featureNames, double[] mean, double[] std, OptionalInt defaultHorizon,
               Supplier<Session> sessions) {
        this.featureNames = List.copyOf(featureNames);
        this.mean = check(mean.clone(), featureNames.size(), "mean");
        this.std = check(std.clone(), featureNames.size(), "std");
        this.defaultHorizon = defaultHorizon;
        this.sessions = sessions;
        this.limits = RunLimits.defaults();
        this.seriesTable = null;
        this.seriesKey = null;
        this.known = KnownFuture.of(Map.of(), featureNames);
        this.minimumHistory = 1;
        this.frequency = Optional.empty();
        this.intervals = IntervalTable.of(Map.of(), featureNames.size());
    }

    /**
     * The fewest history rows a forecast accepts: the window the model was trained on (1 when it records none).
     */
    public int minimumHistory() {
        return minimumHistory;
    }

    /**
     * A forecaster like this one that accepts histories of at least {@code rows} rows, e.g. 1 to forecast from a
     * short history on purpose (the forecast is then less reliable than the model's metrics say).
     */
    public Forecaster withMinimumHistory(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expected ≥ 1 but got " + rows);
        }
        return new Forecaster(this, rows, seriesKey);
    }

    /**
     * The forecaster of one series of a global model ({@code stepwise.series}): the same network with that series'
     * scaling, so its forecasts and intervals come out in the series' own units. The result accepts the same
     * histories, streams and dates as this one.
     *
     * @param key a series key the model was trained on, e.g. a store or sensor id
     * @throws IllegalArgumentException when the model holds one series only, or was not trained on {@code key}
     *                                  (the message lists the keys there are)
     */
    public Forecaster forSeries(String key) {
        Objects.requireNonNull(key, "key");
        if (seriesTable == null) {
            throw new IllegalArgumentException("key: the model was trained on a single series, so it takes no series "
                    + "key (got '" + key + "'); forecast with it directly");
        }
        return new Forecaster(this, minimumHistory, key);
    }

    /** The series keys of a global model, in training order; empty for a model of a single series. */
    public List<String> seriesKeys() {
        return seriesTable == null ? List.of() : seriesTable.keys();
    }

    /** The series-id column of a global model's training file, when it has one. */
    public Optional<String> seriesColumn() {
        return seriesTable == null ? Optional.empty() : Optional.of(seriesTable.column());
    }

    /** The series this forecaster is bound to by {@link #forSeries}; empty otherwise. */
    public Optional<String> seriesKey() {
        return Optional.ofNullable(seriesKey);
    }

    /** Refuses to forecast with a global model before a series is picked: its scaling is per series. */
    void requireSeries() {
        if (seriesTable != null && seriesKey == null) {
            throw new IllegalArgumentException("series: the model was trained on " + seriesTable.keys().size()
                    + " series (column '" + seriesTable.column() + "') and scales each one its own way; pick one with"
                    + " forSeries(key) — its series are " + seriesTable.shortList());
        }
    }

    /** How far apart the series' rows are, when the model records it ({@code stepwise.frequency}). */
    public Optional<Frequency> frequency() {
        return frequency;
    }

    /** The coverages of the prediction intervals the model carries, narrowest first; empty when it has none. */
    public double[] intervalLevels() {
        return intervals.levels();
    }

    /**
     * Forecasts {@code horizon} steps after {@code history} and dates them: one period of the model's
     * {@link #frequency()} apart after {@code lastTimeStamp}, written in its format (e.g. {@code 2024-03},
     * {@code 2024-Q1}, {@code 2024-03-31}).
     *
     * @throws IllegalArgumentException when the model records no frequency or the time stamp is not a date, or see
     *                                  {@link #forecast(double[][], int)}
     */
    public Forecast forecast(double[][] history, int horizon, String lastTimeStamp) {
        Objects.requireNonNull(lastTimeStamp, "lastTimeStamp");
        if (!known.isEmpty()) {
            forecast(history, horizon); // refused, naming the covariates the model needs
        }
        Frequency f = frequency.orElseThrow(() -> new IllegalArgumentException("lastTimeStamp: the model records no"
                + " stepwise.frequency, so its forecast steps cannot be dated"));
        List<String> dates = TimeStampFormat.after(lastTimeStamp, f, horizon);
        return forecast(history, horizon).withDates(dates);
    }

    /** Number of features F per step. */
    public int featureCount() {
        return featureNames.size();
    }

    /** Feature names from the metadata, or {@code x0, x1, …} when it has none. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** The horizon stored in the model's {@code stepwise.forecast} settings, if any. */
    public OptionalInt defaultHorizon() {
        return defaultHorizon;
    }

    /**
     * Forecasts a single-feature series.
     *
     * @throws IllegalArgumentException when the model has more than one feature, or see
     *                                  {@link #forecast(double[][], int)}
     */
    public Forecast forecast(double[] history, int horizon) {
        Objects.requireNonNull(history, "history");
        if (featureCount() != 1) {
            throw new IllegalArgumentException("history: a one-dimensional history fits a single-feature model, but"
                    + " this one reads " + featureCount() + " features " + featureNames + "; pass double[steps][features]");
        }
        double[][] rows = new double[history.length][];
        for (int t = 0; t < history.length; t++) {
            rows[t] = new double[] {history[t]};
        }
        return forecast(rows, horizon);
    }

    /** Forecasts {@link #defaultHorizon()} steps; refused when the model stores no horizon. */
    public Forecast forecast(double[][] history) {
        if (defaultHorizon.isEmpty()) {
            throw new IllegalArgumentException("horizon: the model's metadata has no stepwise.forecast horizon;"
                    + " pass one explicitly");
        }
        return forecast(history, defaultHorizon.getAsInt());
    }

    /**
     * Forecasts {@code horizon} steps after {@code history}, in the series' own units.
     *
     * @param history [steps][features] observations, oldest first; NaN marks a missing value (see class doc)
     * @param horizon steps to forecast (≥ 1)
     * @throws IllegalArgumentException for an empty history, a row of the wrong width, an infinite value, a feature
     *                                  with no known value, or a horizon below 1 or above the source's
     *                                  {@link RunLimits#maxHorizon()} (a horizon from the metadata included)
     */
    public Forecast forecast(double[][] history, int horizon) {
        if (!known.isEmpty()) {
            throw new IllegalArgumentException("horizon: the model was trained with the future values of "
                    + known.names() + " known in advance; pass them, one row per step, with forecast(history, "
                    + "knownFuture)");
        }
        return run(history, horizon, null);
    }

    /**
     * Forecasts one step per row of {@code knownFuture} for a model trained with covariates known in advance
     * ({@link #knownFeatures()}): their given values are fed to the model over the horizon instead of its own
     * predictions of them, and reported as they were given.
     *
     * @param knownFuture [step][known feature], in the order of {@link #knownFeatures()}; finite values
     * @throws IllegalArgumentException when the model has no such covariates, for a row of the wrong width or a
     *                                  non-finite value, or see {@link #forecast(double[][], int)}
     */
    public Forecast forecast(double[][] history, double[][] knownFuture) {
        if (known.isEmpty()) {
            throw new IllegalArgumentException("knownFuture: the model has no covariates known in advance; forecast "
                    + "with forecast(history, horizon)");
        }
        double[][] future = known.check(knownFuture);
        return run(history, future.length, future);
    }

    /** {@link #forecast(double[][], double[][])}, dated as {@link #forecast(double[][], int, String)} does. */
    public Forecast forecast(double[][] history, double[][] knownFuture, String lastTimeStamp) {
        Objects.requireNonNull(lastTimeStamp, "lastTimeStamp");
        Frequency f = frequency.orElseThrow(() -> new IllegalArgumentException("lastTimeStamp: the model records no"
                + " stepwise.frequency, so its forecast steps cannot be dated"));
        Forecast forecast = forecast(history, knownFuture);
        return forecast.withDates(TimeStampFormat.after(lastTimeStamp, f, forecast.horizon()));
    }

    /** The covariates whose future values the model takes at forecast time; empty for most models. */
    public List<String> knownFeatures() {
        return known.names();
    }

    KnownFuture known() {
        return known;
    }

    /** A copy of a model output row with the known covariates' values of that step put in, in model units. */
    float[] withKnown(float[] output, double[] knownStep) {
        float[] next = output.clone();
        known.feed(next, knownStep, mean, std);
        return next;
    }

    private Forecast run(double[][] history, int horizon, double[][] future) {
        Objects.requireNonNull(history, "history");
        requireSeries();
        checkHorizon(horizon);
        double[][] filled = copyChecked(history);
        if (history.length < minimumHistory) {
            throw new IllegalArgumentException("history: " + history.length + " step(s) but the model was trained to"
                    + " forecast after reading " + minimumHistory + " (its window); pass at least " + minimumHistory
                    + " steps, or use withMinimumHistory(" + history.length + ") to accept a less reliable forecast");
        }
        int missing = HistoryChecks.fillMissing(filled, featureNames);
        float[][] scaled = new float[filled.length][];
        for (int t = 0; t < filled.length; t++) {
            scaled[t] = scale(filled[t]);
        }
        double[][] values = new double[horizon][];
        try (Session session = sessions.get()) {
            float[][] outputs = session.feed(scaled);
            float[] next = outputs[outputs.length - 1];
            for (int h = 0; h < horizon; h++) {
                values[h] = unscale(next);
                if (future != null) {
                    known.report(values[h], future[h]);
                }
                if (h + 1 < horizon) {
                    if (future != null) {
                        next = withKnown(next, future[h]);
                    }
                    next = session.step(next);
                }
            }
        }
        return result(values, history.length, missing);
    }

    /** A forecast with the model's prediction intervals around {@code values}. */
    Forecast result(double[][] values, int historyLength, int filled) {
        List<PredictionInterval> intervals = this.intervals.around(values, std);
        return new Forecast(values, featureNames, historyLength, filled, List.of(), intervals,
                Optional.ofNullable(seriesKey));
    }

    /**
     * Opens a stream that carries the model state across observations pushed one at a time, for services that
     * follow a live series. Close it when the series ends.
     */
    public ForecastStream openStream() {
        requireSeries();
        return new ForecastStream(this, sessions.get());
    }

    /**
     * @throws IllegalArgumentException for a horizon below 1 or above {@link RunLimits#maxHorizon()}
     */
    void checkHorizon(int horizon) {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon: expected ≥ 1 but got " + horizon);
        }
        RunLimits.check("horizon", horizon, limits.maxHorizon(), "maxHorizon");
    }

    /** One row in model units: (x − mean) / std. */
    float[] scale(double[] row) {
        float[] out = new float[row.length];
        for (int f = 0; f < row.length; f++) {
            out[f] = (float) ((row[f] - mean[f]) / std[f]);
        }
        return out;
    }

    /** One model output row in the series' units: v · std + mean. */
    double[] unscale(float[] output) {
        if (output.length != mean.length) {
            throw new IllegalStateException("model output: expected " + mean.length + " values (one per feature)"
                    + " but got " + output.length);
        }
        double[] out = new double[output.length];
        for (int f = 0; f < output.length; f++) {
            if (!Float.isFinite(output[f])) {
                throw new IllegalStateException("model output: value " + f + " is " + output[f]
                        + "; the model produced a non-finite prediction");
            }
            out[f] = output[f] * std[f] + mean[f];
        }
        return out;
    }

    /** A copy of {@code history} after checking that it is non-empty, rectangular and free of infinities. */
    double[][] copyChecked(double[][] history) {
        return HistoryChecks.copyChecked(history, featureNames);
    }

    /** A copy of one observation after checking its width and that it holds no infinity (NaN = missing). */
    double[] checkRow(double[] row, String name) {
        return HistoryChecks.checkRow(row, name, featureNames);
    }

    private static List<String> names(List<String> names, int features) {
        if (names.size() == features) {
            return List.copyOf(names);
        }
        if (!names.isEmpty()) {
            throw new IllegalArgumentException("model: stepwise.feature_names has " + names.size()
                    + " names but the model reads " + features + " features");
        }
        List<String> generated = new ArrayList<>(features);
        for (int f = 0; f < features; f++) {
            generated.add("x" + f);
        }
        return generated;
    }

    private static double[] check(double[] values, int features, String name) {
        if (values.length != features) {
            throw new IllegalArgumentException(name + ": expected " + features + " values (one per feature) but got "
                    + values.length);
        }
        return values;
    }
}
