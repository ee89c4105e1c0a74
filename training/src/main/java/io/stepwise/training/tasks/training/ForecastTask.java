package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.data.ForecastPlots;
import io.stepwise.training.data.Metrics;
import io.stepwise.training.data.SeriesWindows;
import io.stepwise.training.tasks.DefaultPaths;
import io.stepwise.training.tasks.protocol.EvaluationProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol.Series;
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
 * A CSV read by {@link io.stepwise.training.data.SeriesCsv} and prepared by {@link ForecastProtocol} (default
 * {@code data/timeseries/co2_weekly.csv}): missing values interpolated as inputs and never scored (the filled
 * count per split is recorded), a chronological split into training, validation and a held-out test tail, and
 * scaling fitted on the training part only and stored in the model ({@code stepwise.scaling}).
 *
 * <h2>Several series</h2>
 * A file of several series (a series-id column) trains one global model: each series is prepared on its own (split,
 * interpolation, scaling by its own training part, stored per series in {@code stepwise.series}), the training
 * windows of all series are shuffled together, and validation and test metrics are the means of the per-series
 * metrics (per-series test scores are recorded too, and written to {@code series_metrics.csv}).
 *
 * <h2>Training</h2>
 * Sliding windows of {@code window + horizon} rows over the training part ({@link SeriesWindows}, stride 1),
 * shuffled batches. The loss has two equally weighted mean squared errors: teacher-forced next-step predictions
 * over the first {@code window} rows (every step but the first quarter, where the state is still warming up
 * from zero), and a free-running forecast of the next {@code horizon} rows in which each prediction is fed back
 * as the next input (back-propagation runs through the roll-out), the way forecasts are made. Training inputs get
 * Gaussian noise of {@value #INPUT_NOISE} training standard deviations, so that the model learns to correct rather
 * than compound the small errors of its own predictions when it is run autoregressively. Covariates known in advance
 * ({@code --known-features}) are fed their actual values in the roll-out, in validation and in test, as the runtime
 * does with the values a caller gives.
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

    /** Most series whose own test metrics go into the model's metrics (all of them go to series_metrics.csv). */
    static final int SERIES_IN_METRICS = 50;

    private final TrainingOptions options;
    private final ForecastProtocol.Panel panel;
    private final ForecastProtocol.Loaded loaded;
    private final List<Series> data;
    private ForecastIntervals intervals;
    /** Per series, the test scores of the model [0] and of seasonal naive [1], from {@link #finalMetrics}. */
    private List<Metrics.Forecast[]> seriesScores;
    private final SeriesWindows.Windows windows;
    private final NetworkSpec spec;
    /** Columns whose actual values are fed over the horizon instead of the model's own predictions. */
    private final int[] known;

    /** Reads and prepares the data named by the options. */
    public ForecastTask(TrainingOptions options) {
        this.options = options;
        Path file = options.data() == null ? DefaultPaths.resolve(ForecastProtocol.DEFAULT_DATA) : options.data();
        this.panel = ForecastProtocol.loadPanel(file, options.columns());
        this.loaded = panel.series().get(0);
        List<Series> prepared = new ArrayList<>();
        List<SeriesWindows.Windows> parts = new ArrayList<>();
        for (ForecastProtocol.Loaded one : panel.series()) {
            // Each series is scaled by its own training part, so series of any level share one set of weights.
            Series series = ForecastProtocol.prepare(one, options.window(), options.validationLength(),
                    options.testLength(), options.season(), options.horizon(), options.scaleHeadroom());
            prepared.add(series);
            parts.add(SeriesWindows.teacherForced(series.split().train(series.scaled()),
                    options.window() + options.horizon(), 1, 1));
        }
        this.data = List.copyOf(prepared);
        this.windows = SeriesWindows.concat(parts);
        int features = data.get(0).values()[0].length;
        List<String> covariates = options.columns().features();
        this.known = options.columns().known().stream().mapToInt(k -> 1 + covariates.indexOf(k)).toArray();
        this.spec = NetworkSpec.builder().setCell(options.cell()).optLayers(options.layers())
                .setHiddenSize(options.hidden()).setFeatureInput(features).setOutputSize(features).build();
    }

    /**
     * The settings line printed before training, e.g. {@code settings: season 12 (derived), window 24 (derived),
     * ... — from monthly data, 144 rows}.
     */
    public String describeSettings() {
        return ForecastDescription.settings(options, panel, data);
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
        NDArray knownMask = known.length == 0 ? null : mask(manager, all.getShape().get(2));
        for (int h = 1; h < options.horizon(); h++) {
            // Covariates known in advance are fed their actual values over the horizon, as at forecast time.
            NDArray fed = knownMask == null ? prediction : prediction.mul(knownMask.neg().add(1))
                    .add(all.get(":, " + (window + h - 1) + ":" + (window + h) + ", :").mul(knownMask));
            NDList step = new NDList(fed);
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

    /** [1, 1, features]: 1 in the columns known in advance, else 0. */
    private NDArray mask(NDManager manager, long features) {
        float[] m = new float[(int) features];
        for (int k : known) {
            m[k] = 1;
        }
        return manager.create(m, new Shape(1, 1, features));
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
        List<int[]> origins = validationOrigins();
        List<double[][][]> forecasts = djlForecasts(context.manager(), origins);
        double sum = 0;
        for (int s = 0; s < data.size(); s++) {
            sum += ForecastProtocol.score(data.get(s), origins.get(s), forecasts.get(s)).mase();
        }
        // Several series: the mean of their MASEs, each scaled by its own seasonal-naive MAE (as in M4).
        return Map.of(VAL_MASE, sum / data.size());
    }

    private List<int[]> validationOrigins() {
        return data.stream().map(d -> origins(d.split().validationStart(), d.split().testStart())).toList();
    }

    private List<int[]> testOrigins() {
        return data.stream().map(d -> ForecastProtocol.testOrigins(d, options.horizon())).toList();
    }

    /** Origins o in [from, to − horizon], stride 1: every forecast stays inside [from, to). */
    private int[] origins(int from, int to) {
        return ForecastProtocol.origins(from, to, options.horizon());
    }

    /**
     * Rolling-origin forecasts with the DJL network for every series at its origins, [origin][step][feature] in
     * that series' units; all series' origins run as one batch.
     */
    private List<double[][][]> djlForecasts(NDManager manager, List<int[]> origins) {
        ParameterStore store = new ParameterStore(manager, false);
        int window = options.window();
        int features = spec.inputSize();
        int total = origins.stream().mapToInt(o -> o.length).sum();
        float[][][] inputs = new float[total][window][features];
        int row = 0;
        List<double[][]> scaledSeries = data.stream().map(Series::scaled).toList();
        for (int s = 0; s < data.size(); s++) {
            double[][] scaled = scaledSeries.get(s);
            for (int origin : origins.get(s)) {
                for (int t = 0; t < window; t++) {
                    for (int f = 0; f < features; f++) {
                        inputs[row][t][f] = (float) scaled[origin - window + t][f];
                    }
                }
                row++;
            }
        }
        List<double[][][]> result = new ArrayList<>();
        for (int[] o : origins) {
            result.add(new double[o.length][options.horizon()][features]);
        }
        if (total == 0) {
            return result;
        }
        NDList out = forward(store, new NDList(cube(manager, inputs)), false);
        for (int h = 0; h < options.horizon(); h++) {
            NDArray output = out.get(0);
            long steps = output.getShape().get(1);
            NDArray last = output.get(":, " + (steps - 1) + ":" + steps + ", :"); // [origins, 1, F]
            float[] values = last.toFloatArray();
            row = 0;
            for (int s = 0; s < data.size(); s++) {
                double[][][] series = result.get(s);
                for (int i = 0; i < series.length; i++) {
                    for (int f = 0; f < features; f++) {
                        series[i][h][f] = data.get(s).scaling().inverse(values[row * features + f], f);
                    }
                    row++;
                }
            }
            if (h + 1 < options.horizon()) {
                NDList next = new NDList(known.length == 0 ? last : knownFed(manager, values, origins, scaledSeries,
                        h, features));
                next.addAll(out.subNDList(1));
                out = forward(store, next, false);
            }
        }
        return result;
    }

    /** The predictions of step h with the known columns replaced by their actual scaled values, [origins, 1, F]. */
    private NDArray knownFed(NDManager manager, float[] predictions, List<int[]> origins, List<double[][]> scaled,
                             int h, int features) {
        float[] fed = predictions.clone();
        int row = 0;
        for (int s = 0; s < origins.size(); s++) {
            for (int origin : origins.get(s)) {
                for (int k : known) {
                    fed[row * features + k] = (float) scaled.get(s)[origin + h][k];
                }
                row++;
            }
        }
        return manager.create(fed, new Shape(row, 1, features));
    }

    @Override
    public Map<String, Double> finalMetrics(NDManager manager) {
        List<int[]> test = testOrigins();
        List<double[][][]> forecasts = djlForecasts(manager, test);
        seriesScores = new ArrayList<>();
        int origins = 0;
        for (int s = 0; s < data.size(); s++) {
            Series d = data.get(s);
            seriesScores.add(new Metrics.Forecast[] {ForecastProtocol.score(d, test.get(s), forecasts.get(s)),
                    ForecastProtocol.score(d, test.get(s), ForecastProtocol.seasonalNaive(d, test.get(s),
                            options.horizon()))});
            origins += test.get(s).length;
        }
        Metrics.Forecast model = mean(seriesScores, 0);
        Metrics.Forecast naive = mean(seriesScores, 1);
        Map<String, Double> m = new LinkedHashMap<>(ForecastProtocol.testMetrics(model));
        m.put(ForecastProtocol.BASELINE_MASE, naive.mase());
        m.put(ForecastProtocol.BASELINE_MAE, naive.mae());
        m.put(ForecastProtocol.BASELINE_RMSE, naive.rmse());
        m.put("test_origins", (double) origins);
        // How often the test values fall inside the intervals measured on validation: the honest check of them.
        ForecastIntervals bands = intervals(manager);
        for (int l = 0; l < ForecastIntervals.LEVELS.length; l++) {
            m.put(ForecastIntervals.coverageKey(l), bands.coverage(l, data, test, forecasts));
        }
        if (Double.isFinite(bands.levelDependence())) { // NaN: a value ≤ 0 in training, absolute intervals
            m.put("interval_level_dependence", bands.levelDependence());
        }
        if (panel.isGlobal()) {
            m.put("series", (double) data.size());
            m.put("series_beating_baseline", (double) seriesScores.stream()
                    .filter(p -> p[0].mase() < p[1].mase()).count());
            for (int s = 0; s < Math.min(data.size(), SERIES_IN_METRICS); s++) {
                m.put("series:" + panel.keys().get(s) + ":" + ForecastProtocol.TEST_MASE, seriesScores.get(s)[0].mase());
                m.put("series:" + panel.keys().get(s) + ":" + ForecastProtocol.BASELINE_MASE,
                        seriesScores.get(s)[1].mase());
                // The pooled coverage can hide a series whose intervals are far too narrow (or wide).
                for (int l = 0; l < ForecastIntervals.LEVELS.length; l++) {
                    m.put("series:" + panel.keys().get(s) + ":" + ForecastIntervals.coverageKey(l),
                            bands.coverage(l, List.of(data.get(s)), List.of(test.get(s)), List.<double[][][]>of(forecasts.get(s))));
                }
            }
        }
        return m;
    }

    /** The model's [0] or the baseline's [1] scores averaged over the series (one series: its own scores). */
    private static Metrics.Forecast mean(List<Metrics.Forecast[]> scores, int which) {
        double mae = 0;
        double rmse = 0;
        double mase = 0;
        for (Metrics.Forecast[] p : scores) {
            mae += p[which].mae();
            rmse += p[which].rmse();
            mase += p[which].mase();
        }
        int n = scores.size();
        return new Metrics.Forecast(mae / n, rmse / n, mase / n);
    }

    @Override
    public void describeModel(ModelMetadata.Builder metadata) {
        List<String> columns = data.get(0).raw().columns();
        metadata.optFeatureNames(columns).optTargetNames(columns);
        if (panel.isGlobal()) {
            metadata.optSeries(panel.seriesColumn(), panel.keys(),
                    data.stream().map(d -> d.scaling().mean()).toArray(double[][]::new),
                    data.stream().map(d -> d.scaling().std()).toArray(double[][]::new));
        } else {
            metadata.optScaling(data.get(0).scaling().mean(), data.get(0).scaling().std());
        }
        Map<String, Object> forecast = new LinkedHashMap<>();
        forecast.put("window", options.window());
        forecast.put("horizon", options.horizon());
        forecast.put("season", options.season());
        if (known.length > 0) {
            forecast.put("known_features", options.columns().known());
        }
        metadata.optForecast(forecast);
        loaded.frequency().ifPresent(f -> metadata.optFrequency(io.stepwise.conversion.Frequency.fromId(
                f.wireName())));
        try (NDManager manager = net().getParameters().valueAt(0).getArray().getManager().newSubManager()) {
            ForecastIntervals bands = intervals(manager);
            metadata.optIntervals(bands.method(), ForecastIntervals.LEVELS, bands.lower(), bands.upper(),
                    bands.calibration());
        }
        ForecastProtocol.Protocol protocol = new ForecastProtocol.Protocol((options.data() == null
                ? ForecastProtocol.DEFAULT_DATA : options.data()).toString(), options.validationLength(),
                options.testLength(), options.window(), options.horizon(), options.season(), options.columns());
        metadata.optProperty(EvaluationProtocol.KEY, EvaluationProtocol.toJson(protocol.toMap()));
    }

    @Override
    public Map<String, Object> describeData() {
        return ForecastDescription.data(options, panel, data);
    }

    @Override
    public void writePlots(Path runDirectory, List<EpochRecord> history) {
        // Separate panels: the scaled training MSE and the validation MASE do not share a scale; the seasonal-naive
        // MASE from the same validation origins is the line to beat.
        List<int[]> validation = validationOrigins();
        double naiveValidation = 0;
        for (int s = 0; s < data.size(); s++) {
            naiveValidation += ForecastProtocol.score(data.get(s), validation.get(s), ForecastProtocol.seasonalNaive(
                    data.get(s), validation.get(s), options.horizon())).mase() / data.size();
        }
        ForecastPlots.trainingPanels(runDirectory.resolve("loss.png"), "Forecaster (" + options.cell().id() + ")",
                "MSE (scaled)", history.stream().mapToDouble(EpochRecord::trainLoss).toArray(), "MASE",
                series(history, VAL_MASE), "seasonal naive", naiveValidation);
        if (panel.isGlobal() && seriesScores != null) {
            SeriesMetricsFile.write(runDirectory.resolve(SeriesMetricsFile.NAME), panel.seriesColumn(), panel.keys(),
                    seriesScores);
        }
        // Forecasts from three origins across the test tail (of the first series), each with its 80% interval and
        // the seasonal-naive forecast from the same origin, on a date axis.
        Series plotted = data.get(0);
        int horizon = options.horizon();
        int n = plotted.values().length;
        int first = plotted.split().testStart();
        int last = n - horizon;
        int[] chosen = java.util.stream.IntStream.of(first, first + (last - first) / 2, last).distinct().toArray();
        List<int[]> asked = new ArrayList<>();
        for (int s = 0; s < data.size(); s++) {
            asked.add(s == 0 ? chosen : new int[0]);
        }
        List<ForecastPlots.Origin> origins = new ArrayList<>();
        List<double[]> naive = new ArrayList<>();
        try (NDManager manager = net().getParameters().valueAt(0).getArray().getManager().newSubManager()) {
            double[][][] forecasts = djlForecasts(manager, asked).get(0);
            ForecastIntervals bands = intervals(manager);
            double std = plotted.scaling().std()[0];
            for (int i = 0; i < chosen.length; i++) {
                double[] values = column(forecasts[i]);
                double[] lower = new double[horizon];
                double[] upper = new double[horizon];
                for (int h = 0; h < horizon; h++) {
                    lower[h] = bands.bound(bands.lower(), 0, h, 0, values[h], std);
                    upper[h] = bands.bound(bands.upper(), 0, h, 0, values[h], std);
                }
                origins.add(new ForecastPlots.Origin(chosen[i], values, lower, upper));
            }
        }
        for (double[][] f : ForecastProtocol.seasonalNaive(plotted, chosen, horizon)) {
            naive.add(column(f));
        }
        int from = Math.max(0, first - 3 * Math.max(options.season(), horizon));
        String name = plotted.raw().columns().get(0) + (panel.isGlobal() ? " (" + panel.seriesColumn() + " "
                + panel.keys().get(0) + ")" : "");
        ForecastPlots.originsWithIntervals(runDirectory.resolve("forecast.png"), "Test-tail forecasts, "
                + horizon + " steps, " + options.cell().id(), name, plotted.raw().timeStamps(),
                plotted.target(), from, origins, ForecastIntervals.LEVELS[0], "seasonal naive", naive);
    }

    /**
     * How the prediction intervals were calibrated, one line for the training output (after {@link #finalMetrics},
     * which measures them).
     */
    public String describeIntervals() {
        try (NDManager manager = net().getParameters().valueAt(0).getArray().getManager().newSubManager()) {
            return intervals(manager).describe();
        }
    }

    /** The prediction intervals, measured once on the validation forecasts of the trained weights. */
    private ForecastIntervals intervals(NDManager manager) {
        if (intervals == null) {
            List<int[]> origins = validationOrigins();
            intervals = ForecastIntervals.measure(data, origins, djlForecasts(manager, origins));
        }
        return intervals;
    }

    private static double[] column(double[][] rows) {
        return Arrays.stream(rows).mapToDouble(r -> r[0]).toArray();
    }
}
