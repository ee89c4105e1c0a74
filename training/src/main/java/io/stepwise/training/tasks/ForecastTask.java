package io.stepwise.training.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.training.data.Metrics;
import io.stepwise.training.data.Plots;
import io.stepwise.training.data.SeasonalNaive;
import io.stepwise.training.data.SeriesCsv;
import io.stepwise.training.data.SeriesSplit;
import io.stepwise.training.data.SeriesWindows;
import io.stepwise.training.data.Standardizer;
import io.stepwise.training.data.TimeSeries;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.TaskContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Time-series forecaster: a per-step network that reads one row of standardised values and predicts the next row,
 * used autoregressively for multi-step forecasts (what the runtime's {@code Forecaster} does).
 *
 * <h2>Data</h2>
 * A CSV read by {@link SeriesCsv} (default {@code data/timeseries/co2_weekly.csv}). <b>Missing values</b> are
 * filled explicitly by linear interpolation ({@link TimeSeries#interpolate()}) so that inputs are complete; the
 * filled count per split is recorded, and filled values are <em>never scored</em>: every error metric skips
 * targets that were missing in the file. The series is split chronologically into training, validation
 * ({@code validationLength} steps) and a held-out test tail ({@code testLength} steps). Scaling (mean and std per
 * column) is fitted on the training part only and stored in the model ({@code stepwise.scaling}).
 *
 * <h2>Training</h2>
 * Sliding windows of {@code window + horizon} rows over the training part ({@link SeriesWindows}, stride 1),
 * shuffled batches. The loss has two equally weighted mean squared errors: teacher-forced next-step predictions
 * over the first {@code window} rows (every step but the first quarter, where the state is still warming up
 * from zero), and a free-running forecast of the next {@code horizon} rows in which each prediction is fed back
 * as the next input (back-propagation runs through the roll-out), the way forecasts are made. Training inputs get Gaussian noise of
 * {@value #INPUT_NOISE} training standard deviations, so that the model learns to correct rather than compound
 * the small errors of its own predictions when it is run autoregressively.
 *
 * <h2>Evaluation protocol (rolling origin)</h2>
 * For every origin {@code o} in the evaluated region with {@code o + horizon} inside it (stride 1), the model reads
 * the {@code window} observed rows before {@code o} from a zero state and forecasts {@code horizon} steps by
 * feeding each prediction back; each forecast step is compared with the actual value (the first column is the
 * evaluated target). MAE and RMSE are in the series' units; MASE divides the MAE by the in-sample MAE of the
 * seasonal-naive forecast on the training part (season {@code season}). The baseline is the seasonal-naive
 * forecast from the same origins (last observed season repeated). Validation uses origins inside the validation
 * part (its forecasts never reach the test tail); the recorded test metrics use origins inside the tail.
 */
public final class ForecastTask extends RecurrentTask<int[]> {
    /** Primary metric: MASE of the rolling-origin forecasts over the test tail. */
    public static final String TEST_MASE = "test_mase";
    public static final String TEST_MAE = "test_mae";
    public static final String TEST_RMSE = "test_rmse";
    public static final String BASELINE_MASE = "baseline_snaive_mase";
    public static final String BASELINE_MAE = "baseline_snaive_mae";
    public static final String BASELINE_RMSE = "baseline_snaive_rmse";
    /** Monitor: MASE of rolling-origin forecasts within the validation part. */
    public static final String VAL_MASE = "val_mase";
    /** Std of the Gaussian noise added to training inputs, as a share of the training std of each column. */
    public static final double INPUT_NOISE = 0.02;
    /** Default data file, relative to the Stepwise folder. */
    public static final Path DEFAULT_DATA = Path.of("data", "timeseries", "co2_weekly.csv");

    private final TrainingOptions options;
    private final Series data;
    private final SeriesWindows.Windows windows;
    private final NetworkSpec spec;

    /** The prepared series: interpolated values, which were filled, the split and the scaling. */
    record Series(TimeSeries raw, double[][] values, boolean[][] filled, SeriesSplit split, Standardizer scaling,
                  double maseScale, int season) {
        double[][] scaled() {
            return scaling.transform(values);
        }

        double[] target() {
            double[] column = new double[values.length];
            for (int t = 0; t < values.length; t++) {
                column[t] = values[t][0];
            }
            return column;
        }
    }

    /** Reads and prepares the data named by the options. */
    public ForecastTask(TrainingOptions options) {
        this.options = options;
        this.data = prepare(options.data() == null ? DefaultPaths.resolve(DEFAULT_DATA) : options.data(),
                options.window(), options.validationLength(), options.testLength(), options.season(),
                options.horizon(), options.scaleHeadroom());
        double[][] scaledTrain = data.split().train(data.scaled());
        this.windows = SeriesWindows.teacherForced(scaledTrain, options.window() + options.horizon(), 1, 1);
        int features = data.values()[0].length;
        this.spec = NetworkSpec.builder().setCell(options.cell()).optLayers(options.layers())
                .setHiddenSize(options.hidden()).setFeatureInput(features).setOutputSize(features).build();
    }

    static Series prepare(Path file, int window, int validationLength, int testLength, int season, int horizon,
                          double scaleHeadroom) {
        TimeSeries raw = SeriesCsv.read(file);
        int n = raw.length();
        int needed = window + season + validationLength + testLength + 1;
        if (n < needed) {
            throw new IllegalArgumentException("--data: " + file + " has " + n + " rows; --window " + window
                    + ", --season " + season + ", --validation-length " + validationLength + " and --test-length "
                    + testLength + " need at least " + needed);
        }
        if (horizon > validationLength) {
            throw new IllegalArgumentException("--horizon: expected at most --validation-length ("
                    + validationLength + ") but got " + horizon);
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

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public String monitor() {
        return VAL_MASE;
    }

    @Override
    public boolean higherIsBetter() {
        return false;
    }

    @Override
    public List<int[]> trainBatches(int epoch, Random random) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < windows.count(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<int[]> batches = new ArrayList<>();
        for (int from = 0; from < order.size(); from += options.batchSize()) {
            batches.add(order.subList(from, Math.min(order.size(), from + options.batchSize())).stream()
                    .mapToInt(Integer::intValue).toArray());
        }
        return batches;
    }

    @Override
    public NDArray loss(TaskContext context, int[] batch) {
        NDManager manager = context.manager();
        int window = options.window();
        NDArray all = cube(manager, gather(windows.inputs(), batch));      // [B, window + horizon, F]
        NDArray targets = cube(manager, gather(windows.targets(), batch)); // row t + 1 for every step t
        NDArray x = all.get(":, :" + window + ", :");
        // Forecasts feed the model its own, slightly wrong, predictions; noisy inputs in training teach it to
        // recover from such errors instead of compounding them (the engine's generator is seeded per epoch).
        x = x.add(manager.randomNormal(0f, (float) (INPUT_NOISE / options.scaleHeadroom()), x.getShape(),
                x.getDataType()));
        NDList out = forward(context.parameterStore(), new NDList(x), true);
        // The first steps of a window start from a zero state with little context, unlike any forecast origin
        // (which always reads a full window); leaving them out of the loss spends capacity on the real case.
        int warmUp = window / 4;
        NDArray teacherForced = out.get(0).get(":, " + warmUp + ":, :")
                .sub(targets.get(":, " + warmUp + ":" + window + ", :")).square().mean();
        // Then the forecast itself: each prediction is fed back, exactly as the runtime's Forecaster does, and
        // every step of the horizon is scored (back-propagation runs through the whole roll-out).
        NDArray prediction = out.get(0).get(":, " + (window - 1) + ":" + window + ", :");
        NDList state = out.subNDList(1);
        NDList rollOut = new NDList(prediction);
        for (int h = 1; h < options.horizon(); h++) {
            NDList step = new NDList(prediction);
            step.addAll(state);
            NDList next = forward(context.parameterStore(), step, true);
            prediction = next.get(0);
            state = next.subNDList(1);
            rollOut.add(prediction);
        }
        NDArray forecast = NDArrays.concat(rollOut, 1);
        NDArray actual = targets.get(":, " + (window - 1) + ":" + (window - 1 + options.horizon()) + ", :");
        return teacherForced.add(forecast.sub(actual).square().mean());
    }

    /** A [a][b][c] array as one NDArray (DJL has no create for 3-D Java arrays). */
    private static NDArray cube(NDManager manager, float[][][] values) {
        int a = values.length;
        int b = values[0].length;
        int c = values[0][0].length;
        float[] flat = new float[a * b * c];
        int i = 0;
        for (float[][] plane : values) {
            for (float[] row : plane) {
                System.arraycopy(row, 0, flat, i, c);
                i += c;
            }
        }
        return manager.create(flat, new Shape(a, b, c));
    }

    private static float[][][] gather(float[][][] all, int[] indices) {
        float[][][] out = new float[indices.length][][];
        for (int i = 0; i < indices.length; i++) {
            out[i] = all[indices[i]];
        }
        return out;
    }

    @Override
    public long sampleCount(int[] batch) {
        return batch.length;
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        int from = data.split().validationStart();
        double[][][] forecasts = djlForecasts(context.manager(), origins(from, data.split().testStart()));
        return Map.of(VAL_MASE, score(data, origins(from, data.split().testStart()), forecasts).mase());
    }

    /** Origins o in [from, to − horizon], stride 1: every forecast stays inside [from, to). */
    private int[] origins(int from, int to) {
        return originsIn(from, to, options.horizon());
    }

    static int[] originsIn(int from, int to, int horizon) {
        int count = to - horizon - from + 1;
        int[] origins = new int[Math.max(0, count)];
        for (int i = 0; i < origins.length; i++) {
            origins[i] = from + i;
        }
        return origins;
    }

    /** Rolling-origin forecasts with the DJL network, [origin][step][feature], in the series' units. */
    private double[][][] djlForecasts(NDManager manager, int[] origins) {
        ParameterStore store = new ParameterStore(manager, false);
        double[][] scaled = data.scaled();
        int window = options.window();
        int features = spec.inputSize();
        float[][][] inputs = new float[origins.length][window][features];
        for (int i = 0; i < origins.length; i++) {
            for (int t = 0; t < window; t++) {
                for (int f = 0; f < features; f++) {
                    inputs[i][t][f] = (float) scaled[origins[i] - window + t][f];
                }
            }
        }
        double[][][] result = new double[origins.length][options.horizon()][features];
        NDList out = forward(store, new NDList(cube(manager, inputs)), false);
        for (int h = 0; h < options.horizon(); h++) {
            NDArray output = out.get(0);
            long steps = output.getShape().get(1);
            NDArray last = output.get(":, " + (steps - 1) + ":" + steps + ", :"); // [origins, 1, F]
            float[] values = last.toFloatArray();
            for (int i = 0; i < origins.length; i++) {
                for (int f = 0; f < features; f++) {
                    result[i][h][f] = data.scaling().inverse(values[i * features + f], f);
                }
            }
            if (h + 1 < options.horizon()) {
                NDList next = new NDList(last);
                next.addAll(out.subNDList(1));
                out = forward(store, next, false);
            }
        }
        return result;
    }

    /** Errors of the first column's forecasts against the observed (never the interpolated) values. */
    static Metrics.Forecast score(Series data, int[] origins, double[][][] forecasts) {
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
    static double[][][] seasonalNaive(Series data, int[] origins, int horizon) {
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

    @Override
    public Map<String, Double> finalMetrics(NDManager manager) {
        int[] test = origins(data.split().testStart(), data.values().length);
        Metrics.Forecast model = score(data, test, djlForecasts(manager, test));
        Metrics.Forecast naive = score(data, test, seasonalNaive(data, test, options.horizon()));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(TEST_MASE, model.mase());
        m.put(TEST_MAE, model.mae());
        m.put(TEST_RMSE, model.rmse());
        m.put(BASELINE_MASE, naive.mase());
        m.put(BASELINE_MAE, naive.mae());
        m.put(BASELINE_RMSE, naive.rmse());
        m.put("test_origins", (double) test.length);
        return m;
    }

    @Override
    public void describeModel(ModelMetadata.Builder metadata) {
        List<String> columns = data.raw().columns();
        metadata.optFeatureNames(columns).optTargetNames(columns)
                .optScaling(data.scaling().mean(), data.scaling().std());
        Map<String, Object> forecast = new LinkedHashMap<>();
        forecast.put("window", options.window());
        forecast.put("horizon", options.horizon());
        forecast.put("season", options.season());
        metadata.optForecast(forecast);
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("data", (options.data() == null ? DEFAULT_DATA : options.data()).toString());
        protocol.put("validation_length", options.validationLength());
        protocol.put("test_length", options.testLength());
        protocol.put("window", options.window());
        protocol.put("horizon", options.horizon());
        protocol.put("season", options.season());
        protocol.put("metric", "rolling origin over the test tail, stride 1: from each origin the previous "
                + options.window() + " rows are read and " + options.horizon() + " steps forecast; MASE scaled by "
                + "the in-sample seasonal-naive MAE (season " + options.season() + ") of the training part; "
                + "missing values interpolated as inputs and never scored");
        metadata.optProperty(ModelEvaluation.EVALUATION_KEY, ModelEvaluation.toJson(protocol));
    }

    @Override
    public Map<String, Object> describeData() {
        SeriesSplit split = data.split();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", data.raw().source());
        m.put("columns", data.raw().columns());
        m.put("rows", data.values().length);
        m.put("train_rows", split.trainLength());
        m.put("validation_rows", split.validationLength());
        m.put("test_rows", split.testLength());
        int[] filled = new int[3];
        for (int t = 0; t < data.values().length; t++) {
            int part = t < split.validationStart() ? 0 : t < split.testStart() ? 1 : 2;
            for (boolean f : data.filled()[t]) {
                filled[part] += f ? 1 : 0;
            }
        }
        m.put("interpolated_values", Map.of("train", filled[0], "validation", filled[1], "test", filled[2]));
        m.put("mase_scale", data.maseScale());
        return m;
    }

    @Override
    public void writePlots(Path runDirectory, List<EpochRecord> history) {
        Plots.lossCurves(runDirectory.resolve("loss.png"), "Forecaster (" + options.cell().id() + ")",
                "MSE (train, scaled) / MASE (validation)", history.stream().mapToDouble(EpochRecord::trainLoss)
                        .toArray(), series(history, VAL_MASE));
        int origin = data.split().testStart();
        int horizon = options.horizon();
        int historyLength = Math.min(origin, 3 * options.season());
        double[] target = data.target();
        double[] past = Arrays.copyOfRange(target, origin - historyLength, origin);
        double[] actual = Arrays.copyOfRange(target, origin, origin + horizon);
        Map<String, double[]> forecasts = new LinkedHashMap<>();
        try (NDManager manager = net().getParameters().valueAt(0).getArray().getManager().newSubManager()) {
            forecasts.put(options.cell().id(), column(djlForecasts(manager, new int[] {origin})[0]));
        }
        forecasts.put("seasonal naive", column(seasonalNaive(data, new int[] {origin}, horizon)[0]));
        List<String> stamps = data.raw().timeStamps();
        List<String> labels = stamps.isEmpty() ? null : stamps.subList(origin - historyLength, origin + horizon);
        Plots.forecast(runDirectory.resolve("forecast.png"), "Forecast from " + (stamps.isEmpty() ? "step " + origin
                : stamps.get(origin)) + ", " + horizon + " steps", data.raw().columns().get(0), labels, past, actual,
                forecasts);
    }

    private static double[] column(double[][] rows) {
        return Arrays.stream(rows).mapToDouble(r -> r[0]).toArray();
    }

    /** Rolling-origin metrics of an exported model over the test tail, through the runtime's Forecaster. */
    static Map<String, Double> runtimeMetrics(RecurrentModel model, Series data, int window, int horizon) {
        Forecaster forecaster = new Forecaster(model);
        int[] origins = originsIn(data.split().testStart(), data.values().length, horizon);
        double[][][] forecasts = new double[origins.length][][];
        for (int i = 0; i < origins.length; i++) {
            double[][] history = Arrays.copyOfRange(data.values(), origins[i] - window, origins[i]);
            forecasts[i] = forecaster.forecast(history, horizon).values();
        }
        Metrics.Forecast m = score(data, origins, forecasts);
        Map<String, Double> result = new LinkedHashMap<>();
        result.put(TEST_MASE, m.mase());
        result.put(TEST_MAE, m.mae());
        result.put(TEST_RMSE, m.rmse());
        return result;
    }
}
