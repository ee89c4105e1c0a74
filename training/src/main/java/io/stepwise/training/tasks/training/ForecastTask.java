package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.data.Metrics;
import io.stepwise.training.data.ForecastPlots;
import io.stepwise.training.data.SeriesCsv;
import io.stepwise.training.data.SeriesSplit;
import io.stepwise.training.data.SeriesWindows;
import io.stepwise.training.tasks.DefaultPaths;
import io.stepwise.training.tasks.protocol.EvaluationProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol.Series;
import io.stepwise.training.tasks.protocol.Setting;
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
 * A CSV read by {@link SeriesCsv} and prepared by {@link ForecastProtocol} (default
 * {@code data/timeseries/co2_weekly.csv}): missing values interpolated as inputs and never scored (the filled
 * count per split is recorded), a chronological split into training, validation and a held-out test tail, and
 * scaling fitted on the training part only and stored in the model ({@code stepwise.scaling}).
 *
 * <h2>Training</h2>
 * Sliding windows of {@code window + horizon} rows over the training part ({@link SeriesWindows}, stride 1),
 * shuffled batches. The loss has two equally weighted mean squared errors: teacher-forced next-step predictions
 * over the first {@code window} rows (every step but the first quarter, where the state is still warming up
 * from zero), and a free-running forecast of the next {@code horizon} rows in which each prediction is fed back
 * as the next input (back-propagation runs through the roll-out), the way forecasts are made. Training inputs get
 * Gaussian noise of {@value #INPUT_NOISE} training standard deviations, so that the model learns to correct rather
 * than compound the small errors of its own predictions when it is run autoregressively.
 *
 * <h2>Evaluation protocol (rolling origin)</h2>
 * {@link ForecastProtocol}: MASE, MAE and RMSE of rolling-origin forecasts against the seasonal-naive baseline
 * from the same origins. Validation (the monitor) uses origins inside the validation part (its forecasts never
 * reach the test tail); the recorded test metrics use origins inside the tail.
 */
public final class ForecastTask extends RecurrentTask<int[]> {
    /** Monitor: MASE of rolling-origin forecasts within the validation part. */
    public static final String VAL_MASE = "val_mase";
    /** Std of the Gaussian noise added to training inputs, as a share of the training std of each column. */
    public static final double INPUT_NOISE = 0.02;

    private final TrainingOptions options;
    private final ForecastProtocol.Loaded loaded;
    private final Series data;
    private ForecastIntervals intervals;
    private final SeriesWindows.Windows windows;
    private final NetworkSpec spec;

    /** Reads and prepares the data named by the options. */
    public ForecastTask(TrainingOptions options) {
        this.options = options;
        Path file = options.data() == null ? DefaultPaths.resolve(ForecastProtocol.DEFAULT_DATA) : options.data();
        this.loaded = ForecastProtocol.load(file, options.columns());
        this.data = ForecastProtocol.prepare(loaded, options.window(), options.validationLength(),
                options.testLength(), options.season(), options.horizon(), options.scaleHeadroom());
        double[][] scaledTrain = data.split().train(data.scaled());
        this.windows = SeriesWindows.teacherForced(scaledTrain, options.window() + options.horizon(), 1, 1);
        int features = data.values()[0].length;
        this.spec = NetworkSpec.builder().setCell(options.cell()).optLayers(options.layers())
                .setHiddenSize(options.hidden()).setFeatureInput(features).setOutputSize(features).build();
    }

    /**
     * The settings line printed before training, e.g. {@code settings: season 12 (derived), window 24 (derived),
     * ... — from monthly data, 144 rows}.
     */
    public String describeSettings() {
        StringBuilder sb = new StringBuilder("settings: ");
        java.util.function.BiConsumer<String, Object[]> add = (name, v) -> {
            if (sb.length() > "settings: ".length()) {
                sb.append(", ");
            }
            sb.append(name).append(' ').append(v[0]).append(options.defaulted().contains((Setting) v[1])
                    ? " (derived)" : " (given)");
        };
        add.accept("season", new Object[] {options.season(), Setting.SEASON});
        add.accept("window", new Object[] {options.window(), Setting.WINDOW});
        add.accept("horizon", new Object[] {options.horizon(), Setting.HORIZON});
        add.accept("validation", new Object[] {options.validationLength(), Setting.VALIDATION_LENGTH});
        add.accept("test", new Object[] {options.testLength(), Setting.TEST_LENGTH});
        add.accept("scale headroom", new Object[] {options.scaleHeadroom(), Setting.SCALE_HEADROOM});
        add.accept("lr", new Object[] {options.learningRate(), Setting.LEARNING_RATE});
        add.accept("epochs", new Object[] {options.epochs(), Setting.EPOCHS});
        sb.append(" — from ").append(loaded.frequency().map(f -> f.wireName() + " data").orElse("undated data"))
                .append(", ").append(data.values().length).append(" rows; ").append(loaded.describe());
        return sb.toString();
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
        int[] origins = origins(data.split().validationStart(), data.split().testStart());
        double[][][] forecasts = djlForecasts(context.manager(), origins);
        return Map.of(VAL_MASE, ForecastProtocol.score(data, origins, forecasts).mase());
    }

    /** Origins o in [from, to − horizon], stride 1: every forecast stays inside [from, to). */
    private int[] origins(int from, int to) {
        return ForecastProtocol.origins(from, to, options.horizon());
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

    @Override
    public Map<String, Double> finalMetrics(NDManager manager) {
        int[] test = ForecastProtocol.testOrigins(data, options.horizon());
        Metrics.Forecast model = ForecastProtocol.score(data, test, djlForecasts(manager, test));
        Metrics.Forecast naive = ForecastProtocol.score(data, test,
                ForecastProtocol.seasonalNaive(data, test, options.horizon()));
        Map<String, Double> m = new LinkedHashMap<>(ForecastProtocol.testMetrics(model));
        m.put(ForecastProtocol.BASELINE_MASE, naive.mase());
        m.put(ForecastProtocol.BASELINE_MAE, naive.mae());
        m.put(ForecastProtocol.BASELINE_RMSE, naive.rmse());
        m.put("test_origins", (double) test.length);
        // How often the test values fall inside the intervals measured on validation: the honest check of them.
        ForecastIntervals bands = intervals(manager);
        double[][][] forecasts = djlForecasts(manager, test);
        for (int l = 0; l < ForecastIntervals.LEVELS.length; l++) {
            m.put(ForecastIntervals.coverageKey(l), bands.coverage(l, data, test, forecasts));
        }
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
        loaded.frequency().ifPresent(f -> metadata.optFrequency(io.stepwise.conversion.Frequency.fromId(
                f.wireName())));
        try (NDManager manager = net().getParameters().valueAt(0).getArray().getManager().newSubManager()) {
            ForecastIntervals bands = intervals(manager);
            metadata.optIntervals(ForecastIntervals.METHOD, ForecastIntervals.LEVELS, bands.lower(), bands.upper());
        }
        ForecastProtocol.Protocol protocol = new ForecastProtocol.Protocol((options.data() == null
                ? ForecastProtocol.DEFAULT_DATA : options.data()).toString(), options.validationLength(),
                options.testLength(), options.window(), options.horizon(), options.season(), options.columns());
        metadata.optProperty(EvaluationProtocol.KEY, EvaluationProtocol.toJson(protocol.toMap()));
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
        m.put("target", data.raw().columns().get(0));
        if (data.raw().width() > 1) {
            m.put("covariates", data.raw().columns().subList(1, data.raw().width()));
        }
        loaded.timeline().ifPresent(t -> {
            m.put("time_column", data.raw().timeColumn());
            m.put("frequency", t.frequency().wireName());
            m.put("order", t.order().text());
            m.put("inserted_rows", t.insertedRows());
        });
        return m;
    }

    @Override
    public void writePlots(Path runDirectory, List<EpochRecord> history) {
        // Separate panels: the scaled training MSE and the validation MASE do not share a scale; the seasonal-naive
        // MASE from the same validation origins is the line to beat.
        int[] validation = origins(data.split().validationStart(), data.split().testStart());
        double naiveValidation = ForecastProtocol.score(data, validation,
                ForecastProtocol.seasonalNaive(data, validation, options.horizon())).mase();
        ForecastPlots.trainingPanels(runDirectory.resolve("loss.png"), "Forecaster (" + options.cell().id() + ")",
                "MSE (scaled)", history.stream().mapToDouble(EpochRecord::trainLoss).toArray(), "MASE",
                series(history, VAL_MASE), "seasonal naive", naiveValidation);
        // Forecasts from three origins across the test tail, each with its 80% interval and the seasonal-naive
        // forecast from the same origin, on a date axis.
        int horizon = options.horizon();
        int n = data.values().length;
        int first = data.split().testStart();
        int last = n - horizon;
        int[] chosen = java.util.stream.IntStream.of(first, first + (last - first) / 2, last).distinct().toArray();
        List<ForecastPlots.Origin> origins = new ArrayList<>();
        List<double[]> naive = new ArrayList<>();
        try (NDManager manager = net().getParameters().valueAt(0).getArray().getManager().newSubManager()) {
            double[][][] forecasts = djlForecasts(manager, chosen);
            ForecastIntervals bands = intervals(manager);
            double std = data.scaling().std()[0];
            for (int i = 0; i < chosen.length; i++) {
                double[] values = column(forecasts[i]);
                double[] lower = new double[horizon];
                double[] upper = new double[horizon];
                for (int h = 0; h < horizon; h++) {
                    lower[h] = values[h] + bands.lower()[0][h][0] * std;
                    upper[h] = values[h] + bands.upper()[0][h][0] * std;
                }
                origins.add(new ForecastPlots.Origin(chosen[i], values, lower, upper));
            }
        }
        for (double[][] f : ForecastProtocol.seasonalNaive(data, chosen, horizon)) {
            naive.add(column(f));
        }
        int from = Math.max(0, first - 3 * Math.max(options.season(), horizon));
        ForecastPlots.originsWithIntervals(runDirectory.resolve("forecast.png"), "Test-tail forecasts, "
                + horizon + " steps, " + options.cell().id(), data.raw().columns().get(0), data.raw().timeStamps(),
                data.target(), from, origins, ForecastIntervals.LEVELS[0], "seasonal naive", naive);
    }

    /** The prediction intervals, measured once on the validation forecasts of the trained weights. */
    private ForecastIntervals intervals(NDManager manager) {
        if (intervals == null) {
            int[] origins = origins(data.split().validationStart(), data.split().testStart());
            intervals = ForecastIntervals.measure(data, origins, djlForecasts(manager, origins));
        }
        return intervals;
    }

    private static double[] column(double[][] rows) {
        return Arrays.stream(rows).mapToDouble(r -> r[0]).toArray();
    }
}
