package io.stepwise.training.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.train.schedule.LearningRateSchedule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * The training loop shared by every Stepwise task.
 *
 * <p>Per epoch: the engine and a {@link Random} are seeded from (seed, epoch); the task lists its batches; each
 * batch's loss is back-propagated, the gradients' global L2 norm is clipped to
 * {@link TrainerConfig#clipGradNorm()}, and Adam takes a step at the scheduled learning rate
 * ({@link TrainerConfig#learningRateSchedule}: optional linear warm-up, then constant, cosine or step decay); then
 * the task validates, the epoch is appended to {@code metrics.json} ({@link MetricsFile}), the best weights so far
 * go to {@code best.params} ({@link ParameterFiles}), and a checkpoint {@code checkpoint.bin}
 * ({@link CheckpointFormat}) is written. Training stops after {@link TrainerConfig#epochs()} epochs or when the
 * monitored metric has not improved for {@link TrainerConfig#patience()} epochs. Every file is written atomically
 * (temporary file, then rename).
 *
 * <h2>Reproducibility</h2>
 * Two runs with the same seed, task and data produce the same losses and weights (on the same machine and thread
 * count): initialisation uses the engine seed, and each epoch reseeds the engine (dropout masks) and derives its
 * own {@link Random} (shuffling) from (seed, epoch) rather than continuing a stream.
 *
 * <h2>Resume</h2>
 * {@link #resume()} restores from the checkpoint of the last complete epoch: parameters, Adam's first and second
 * moments and step count (so the learning-rate schedule and bias correction continue exactly), the best metric and
 * epoch, the epochs-without-improvement counter and the history; then it continues with the next epoch. Because
 * random streams are derived per epoch, a resumed run gives the same weights as an uninterrupted one. Not restored:
 * a partly trained epoch (its work is lost and redone; the checkpoint is only written between epochs) and any
 * state the task keeps itself — carried recurrent state is reset at every epoch start anyway. The configuration
 * must be identical; a resume with different hyperparameters is rejected.
 *
 * <pre>{@code
 * try (NDManager manager = NDManager.newBaseManager()) {
 *     Trainer<Batch> trainer = Trainer.<Batch>builder().setModel(net).setManager(manager).setTask(task)
 *             .setConfig(TrainerConfig.builder().setEpochs(20).build()).setRunDirectory(dir).build();
 *     TrainingResult result = Trainer.hasCheckpoint(dir) ? trainer.resume() : trainer.fit();
 * }
 * }</pre>
 *
 * @param <B> the task's batch type
 */
public final class Trainer<B> {
    /** Checkpoint of the last complete epoch. */
    public static final String CHECKPOINT_FILE = "checkpoint.bin";
    /** Parameters of the best epoch so far ({@link ParameterFiles} format). */
    public static final String BEST_PARAMETERS_FILE = "best.params";
    /** Per-epoch metrics ({@link MetricsFile} format). */
    public static final String METRICS_FILE = "metrics.json";

    private final Block model;
    private final Shape[] inputShapes;
    private final NDManager manager;
    private final TrainingTask<B> task;
    private final TrainerConfig config;
    private final Path runDirectory;
    private final ConsoleProgress progress;
    private final boolean restoreBest;

    private Trainer(Builder<B> b) {
        this.model = b.model;
        this.inputShapes = b.inputShapes;
        this.manager = b.manager;
        this.task = b.task;
        this.config = b.config;
        this.runDirectory = b.runDirectory;
        this.progress = b.progress;
        this.restoreBest = b.restoreBest;
    }

    public static <B> Builder<B> builder() {
        return new Builder<>();
    }

    public TrainerConfig config() {
        return config;
    }

    public Path runDirectory() {
        return runDirectory;
    }

    /** Whether {@code runDirectory} holds a checkpoint that {@link #resume()} can continue. */
    public static boolean hasCheckpoint(Path runDirectory) {
        return Files.isRegularFile(runDirectory.resolve(CHECKPOINT_FILE));
    }

    /**
     * Trains from scratch. The model is initialised from the seed unless the caller already initialised it.
     *
     * @throws IllegalStateException when the run directory already holds a checkpoint (resume it or choose another
     *                               directory), or when the loss or the gradients become NaN or infinite
     */
    public TrainingResult fit() throws IOException {
        if (hasCheckpoint(runDirectory)) {
            throw new IllegalStateException("runDirectory: " + runDirectory + " already holds a checkpoint; call "
                    + "resume() to continue it or choose an empty directory");
        }
        Files.createDirectories(runDirectory);
        DjlRuntime.seed(config.seed());
        initializeModel();
        try (AdamOptimizer optimizer = new AdamOptimizer(model.getParameters(), manager, config)) {
            return run(new RunState(), optimizer);
        }
    }

    /**
     * Continues the run in the run directory after its last complete epoch; returns at once when that run had
     * already finished.
     *
     * @throws IOException              when there is no readable checkpoint
     * @throws IllegalArgumentException when the checkpoint was made with a different configuration or model
     */
    public TrainingResult resume() throws IOException {
        Path file = runDirectory.resolve(CHECKPOINT_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IOException("runDirectory: no " + CHECKPOINT_FILE + " in " + runDirectory + " to resume");
        }
        initializeModel();
        try (AdamOptimizer optimizer = new AdamOptimizer(model.getParameters(), manager, config)) {
            RunState state = CheckpointFormat.read(file, config, model, optimizer, manager);
            progress.message(String.format(Locale.ROOT, "resuming %s after epoch %d of %d", runDirectory,
                    state.nextEpoch, config.epochs()));
            if (state.finished(config.epochs())) {
                finish(state);
                return result(state);
            }
            return run(state, optimizer);
        }
    }

    private void initializeModel() {
        if (!model.isInitialized()) {
            model.initialize(manager, DataType.FLOAT32, inputShapes);
        }
    }

    private TrainingResult run(RunState state, AdamOptimizer optimizer) throws IOException {
        int stepsPerEpoch = task.trainBatches(0, epochRandom(0)).size();
        if (stepsPerEpoch == 0) {
            throw new IllegalStateException("task: epoch 0 has no training batches; is the training set empty?");
        }
        LearningRateSchedule schedule = config.learningRateSchedule(stepsPerEpoch);
        for (int epoch = state.nextEpoch; epoch < config.epochs(); epoch++) {
            long start = System.nanoTime();
            EpochTotals totals = trainEpoch(epoch, optimizer, schedule);
            double trainSeconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> validation = validate(epoch);
            double seconds = (System.nanoTime() - start) / 1e9;
            double metric = monitored(epoch, totals.meanLoss(), validation);
            boolean improved = state.bestEpoch < 0
                    || (config.higherIsBetter() ? metric > state.bestMetric : metric < state.bestMetric);
            EpochRecord record = new EpochRecord(epoch, totals.meanLoss(), totals.lastRate(), seconds,
                    totals.samples() / trainSeconds, validation, improved);
            endEpoch(state, record, metric, optimizer);
            if (state.stoppedEarly) {
                progress.message(String.format(Locale.ROOT, "early stop: %s has not improved for %d epochs (best"
                        + " %.6g at epoch %d)", config.monitor(), config.patience(), state.bestMetric,
                        state.bestEpoch + 1));
                break;
            }
        }
        finish(state);
        return result(state);
    }

    /** What the training steps of one epoch add up to. */
    private record EpochTotals(double meanLoss, long samples, float lastRate) {
    }

    /** Seeds the epoch, then one optimizer step per batch. */
    private EpochTotals trainEpoch(int epoch, AdamOptimizer optimizer, LearningRateSchedule schedule) {
        DjlRuntime.seed(epochSeed(epoch));
        List<B> batches = task.trainBatches(epoch, epochRandom(epoch));
        task.startEpoch(epoch);
        progress.startEpoch(epoch, config.epochs(), batches.size());
        Engine engine = DjlRuntime.engine();
        double lossSum = 0;
        long samples = 0;
        float lr = Float.NaN;
        for (int step = 0; step < batches.size(); step++) {
            B batch = batches.get(step);
            try (NDManager batchManager = manager.newSubManager()) {
                double loss = backward(engine, new TaskContext(batchManager, new ParameterStore(batchManager, false),
                        true, epoch, step), batch);
                double norm = optimizer.globalGradientNorm();
                if (!Double.isFinite(norm)) {
                    throw new IllegalStateException(String.format(Locale.ROOT, "training diverged: gradient "
                            + "norm is %s at epoch %d step %d", norm, epoch, step));
                }
                float rescale = config.clipGradNorm() > 0 && norm > config.clipGradNorm()
                        ? (float) (config.clipGradNorm() / (norm + 1e-6)) : 1f;
                lr = schedule.rate(optimizer.updates());
                optimizer.update(lr, rescale);
                optimizer.zeroGradients();
                lossSum += loss;
                samples += task.sampleCount(batch);
            }
            progress.step(step + 1, lossSum / (step + 1), samples);
        }
        return new EpochTotals(lossSum / batches.size(), samples, lr);
    }

    /** The task's loss on {@code batch}, back-propagated; returns its value. */
    private double backward(Engine engine, TaskContext context, B batch) {
        try (GradientCollector collector = engine.newGradientCollector()) {
            NDArray lossArray = task.loss(context, batch);
            if (lossArray.size() != 1) {
                throw new IllegalStateException("task: loss must be a scalar but has shape " + lossArray.getShape());
            }
            double loss = lossArray.toType(DataType.FLOAT64, false).getDouble();
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException(String.format(Locale.ROOT, "training diverged: loss is %s at epoch"
                        + " %d step %d; lower the learning rate or clip gradients harder", loss, context.epoch(),
                        context.step()));
            }
            collector.backward(lossArray);
            return loss;
        }
    }

    private Map<String, Double> validate(int epoch) {
        try (NDManager validationManager = manager.newSubManager()) {
            Map<String, Double> validation = task.validate(new TaskContext(validationManager,
                    new ParameterStore(validationManager, false), false, epoch, 0));
            return validation == null ? Map.of() : Map.copyOf(validation);
        }
    }

    /** The monitored metric of the epoch: the training loss or a validation metric. */
    private double monitored(int epoch, double trainLoss, Map<String, Double> validation) {
        double metric = TrainerConfig.TRAIN_LOSS.equals(config.monitor()) ? trainLoss
                : validation.getOrDefault(config.monitor(), Double.NaN);
        if (Double.isNaN(metric)) {
            throw new IllegalStateException("monitor: metric '" + config.monitor() + "' is missing or NaN after"
                    + " epoch " + epoch + "; validate() returned " + validation.keySet());
        }
        return metric;
    }

    /** Records the epoch, keeps the best weights, decides on early stopping and writes the run's files. */
    private void endEpoch(RunState state, EpochRecord record, double metric, AdamOptimizer optimizer)
            throws IOException {
        state.history.add(record);
        if (record.improved()) {
            state.bestEpoch = record.epoch();
            state.bestMetric = metric;
            state.epochsWithoutImprovement = 0;
            ParameterFiles.save(model, runDirectory.resolve(BEST_PARAMETERS_FILE));
        } else {
            state.epochsWithoutImprovement++;
        }
        state.nextEpoch = record.epoch() + 1;
        state.stoppedEarly = config.patience() > 0 && state.epochsWithoutImprovement >= config.patience()
                && state.nextEpoch < config.epochs();
        MetricsFile.write(runDirectory.resolve(METRICS_FILE), state.history);
        CheckpointFormat.write(runDirectory.resolve(CHECKPOINT_FILE), config, model, state, optimizer);
        progress.endEpoch(summary(record));
    }

    private void finish(RunState state) throws IOException {
        Path best = runDirectory.resolve(BEST_PARAMETERS_FILE);
        if (restoreBest && state.bestEpoch >= 0 && state.bestEpoch != state.nextEpoch - 1 && Files.exists(best)) {
            ParameterFiles.load(model, best);
        }
    }

    private TrainingResult result(RunState state) {
        return new TrainingResult(state.nextEpoch, state.bestEpoch, state.bestMetric, state.stoppedEarly,
                state.history, runDirectory);
    }

    private String summary(EpochRecord r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d train_loss %.4f",
                r.epoch() + 1, config.epochs(), r.trainLoss()));
        r.validation().forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
        sb.append(String.format(Locale.ROOT, " lr %.3g %.0f samples/s %s%s", r.learningRate(), r.samplesPerSecond(),
                ConsoleProgress.duration(r.seconds()), r.improved() ? " *" : ""));
        return sb.toString();
    }

    private long epochSeed(int epoch) {
        long z = config.seed() + 0x9E3779B97F4A7C15L * (epoch + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private Random epochRandom(int epoch) {
        return new Random(epochSeed(epoch));
    }

    /**
     * Builder: {@link #setModel}, {@link #setManager}, {@link #setTask}, {@link #setConfig} and
     * {@link #setRunDirectory} required.
     */
    public static final class Builder<B> {
        private Block model;
        private Shape[] inputShapes;
        private NDManager manager;
        private TrainingTask<B> task;
        private TrainerConfig config;
        private Path runDirectory;
        private ConsoleProgress progress = new ConsoleProgress(System.out, ConsoleProgress.Mode.AUTO, 10);
        private boolean restoreBest = true;

        private Builder() {
        }

        /** The network to train; initialised by the trainer (from the seed) when not yet initialised. */
        public Builder<B> setModel(Block model) {
            this.model = model;
            return this;
        }

        /** Where parameters live when the trainer initialises them; owned and closed by the caller. */
        public Builder<B> setManager(NDManager manager) {
            this.manager = manager;
            return this;
        }

        public Builder<B> setTask(TrainingTask<B> task) {
            this.task = task;
            return this;
        }

        public Builder<B> setConfig(TrainerConfig config) {
            this.config = config;
            return this;
        }

        /** Folder for {@code checkpoint.bin}, {@code best.params} and {@code metrics.json}; created if needed. */
        public Builder<B> setRunDirectory(Path runDirectory) {
            this.runDirectory = runDirectory;
            return this;
        }

        /** Input shapes for initialising a model that is not a {@link RecurrentNet}. */
        public Builder<B> optInputShapes(Shape... inputShapes) {
            this.inputShapes = inputShapes.clone();
            return this;
        }

        /** Progress output; default: {@link System#out}, terminal detected, a line every 10 s otherwise. */
        public Builder<B> optProgress(ConsoleProgress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /** Shortcut for {@code optProgress(new ConsoleProgress(out, mode, 10))}. */
        public Builder<B> optProgress(PrintStream out, ConsoleProgress.Mode mode) {
            return optProgress(new ConsoleProgress(out, mode, 10));
        }

        /** Whether the best epoch's weights are loaded into the model when training ends (default true). */
        public Builder<B> optRestoreBest(boolean restoreBest) {
            this.restoreBest = restoreBest;
            return this;
        }

        public Trainer<B> build() {
            require(model, "model");
            require(manager, "manager");
            require(task, "task");
            require(config, "config");
            require(runDirectory, "runDirectory");
            if (inputShapes == null) {
                if (model instanceof RecurrentNet net) {
                    inputShapes = new Shape[] {net.exampleInputShape()};
                } else if (!model.isInitialized()) {
                    throw new IllegalArgumentException("inputShapes: required to initialise a "
                            + model.getClass().getSimpleName() + "; call optInputShapes or initialise it first");
                }
            }
            if (Files.exists(runDirectory) && !Files.isDirectory(runDirectory)) {
                throw new IllegalArgumentException("runDirectory: " + runDirectory + " exists and is not a folder");
            }
            return new Trainer<>(this);
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalArgumentException(name + ": required but was not set");
            }
        }
    }
}
