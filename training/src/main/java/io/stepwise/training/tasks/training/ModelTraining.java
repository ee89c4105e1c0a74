package io.stepwise.training.tasks.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepwiseVersion;
import io.stepwise.training.export.ModelExporter;
import io.stepwise.training.export.ParityReport;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.tasks.ModelCards;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.evaluation.BaselineVerdict;
import io.stepwise.training.tasks.protocol.ClassifyProtocol;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.train.ConsoleProgress;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.MetricsFile;
import io.stepwise.training.train.ParameterFiles;
import io.stepwise.training.train.Trainer;
import io.stepwise.training.train.TrainerConfig;
import io.stepwise.training.train.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One training run from options to an exported, parity-checked model with its model card: loads the data,
 * builds the network, trains it with {@link Trainer} (or resumes), restores the best epoch's weights, measures
 * them against the task's baseline, exports with {@link ModelExporter} (parity proven, figure recorded) and writes
 * the plots and the card.
 *
 * <p>Failure leaves earlier results alone: checkpoints are written between epochs, and the model and card are
 * written atomically only after parity has been proven, so a failed run never replaces a good model.
 */
public final class ModelTraining {
    /** The Stepwise version recorded in provenance. */
    public static final String STEPWISE_VERSION = StepwiseVersion.get();
    /** Folder under which runs without a run folder of their own get a timestamped one. */
    public static final Path RUNS = Path.of("runs");

    private ModelTraining() {
    }

    /** Creates the task named by the options, loading and checking its data. */
    public static RecurrentTask<?> createTask(TrainingOptions options) {
        TrainingLimits.check(options);
        if (options.data() != null) {
            checkData(options);
        }
        return switch (options.task()) {
            case LANGUAGE_MODEL -> new LanguageModelTask(options);
            case FORECAST -> new ForecastTask(options);
            case CLASSIFY -> ClassifyProtocol.isFeatureSequences(options.data()) ? new FeatureClassifyTask(options)
                    : new ClassifyTask(options);
            case EVENT_MODEL -> new EventModelTask(options);
        };
    }

    /** The data path against what the task reads and the limits of {@link TrainingLimits}. */
    private static void checkData(TrainingOptions options) {
        Path data = options.data();
        switch (options.task()) {
            case LANGUAGE_MODEL -> TrainingLimits.checkData(data, TrainingLimits.DataShape.FILE, "a UTF-8 text file",
                    Long.MAX_VALUE);
            case EVENT_MODEL -> TrainingLimits.checkData(data, TrainingLimits.DataShape.FILE, "a file of event "
                    + "sequences, one per line", TrainingLimits.MAX_LINES);
            case FORECAST -> {
                TrainingLimits.checkData(data, TrainingLimits.DataShape.FILE, "a CSV file of a time series",
                        Long.MAX_VALUE);
                TrainingLimits.checkSeries(data, options.window());
            }
            case CLASSIFY -> {
                TrainingLimits.checkData(data, TrainingLimits.DataShape.FILE_OR_FOLDER, "a folder of <label>.txt "
                        + "word lists or a CSV file", TrainingLimits.MAX_LINES);
                if (Files.isDirectory(data)) {
                    try (java.util.stream.Stream<Path> files = Files.list(data)) {
                        files.filter(f -> f.getFileName().toString().endsWith(".txt")).sorted()
                                .forEach(f -> TrainingLimits.checkFile(f, TrainingLimits.MAX_LINES, "lines"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException("cannot list " + data + ": " + e.getMessage(), e);
                    }
                }
            }
        }
    }

    /** The run folder: the options' own, or {@code runs/<model>-<timestamp>}. */
    public static Path runDirectory(TrainingOptions options) {
        if (options.runDirectory() != null) {
            return options.runDirectory();
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        return RUNS.resolve(options.modelName() + "-" + stamp);
    }

    /**
     * Trains, exports and documents one model.
     *
     * @param out  progress and summary lines
     * @param mode how the progress bar is drawn
     * @throws IllegalArgumentException for bad options or data (naming the setting, file, line or value; an
     *                                  {@link InvalidSettingException} where a setting is to blame)
     * @throws IllegalStateException    when training diverges or the export fails its parity check
     */
    public static TrainedModel train(TrainingOptions options, PrintStream out, ConsoleProgress.Mode mode)
            throws IOException {
        if (options.task() == TaskKind.FORECAST && options.trials() > 1 && !options.resume()) {
            Path runDirectory = runDirectory(options);
            if (Trainer.hasCheckpoint(runDirectory)) {
                throw new InvalidSettingException(Setting.RUN_DIRECTORY, names -> runDirectory + " already holds a "
                        + "checkpoint; pass " + names.apply(Setting.RESUME) + " to continue it or choose another "
                        + "folder");
            }
            ForecastSearch.Result search = ForecastSearch.search(options, runDirectory, out, mode);
            ForecastSearch.Candidate c = search.chosen();
            TrainingOptions chosen = options.withTrial(c.learningRate(), c.window(), c.scaleHeadroom(), options.out(),
                    runDirectory);
            return trainOnce(chosen, out, mode, search.record());
        }
        return trainOnce(options, out, mode, null);
    }

    /** One training run; {@code search} (the settings search that chose these options, or null) goes into the
     * provenance. */
    static TrainedModel trainOnce(TrainingOptions options, PrintStream out, ConsoleProgress.Mode mode,
                                  Map<String, Object> search) throws IOException {
        Path runDirectory = runDirectory(options);
        if (options.resume() && !Trainer.hasCheckpoint(runDirectory)) {
            throw new InvalidSettingException(Setting.RESUME, "no " + Trainer.CHECKPOINT_FILE + " in " + runDirectory
                    + " to continue");
        }
        if (!options.resume() && Trainer.hasCheckpoint(runDirectory)) {
            throw new InvalidSettingException(Setting.RUN_DIRECTORY, names -> runDirectory + " already holds a "
                    + "checkpoint; pass " + names.apply(Setting.RESUME) + " to continue it or choose another folder");
        }
        if (Files.isDirectory(options.out())) {
            throw new InvalidSettingException(Setting.OUT, options.out() + " is a folder; expected a model file");
        }
        DjlRuntime.configureThreads();
        long start = System.nanoTime();
        RecurrentTask<?> task = createTask(options);
        out.printf(Locale.ROOT, "%s %s: %s%n", options.task().cliName(), options.cell().id(), task.describeData());
        if (task instanceof ForecastTask forecast) {
            out.println(forecast.describeSettings());
        }
        out.printf(Locale.ROOT, options.resume() ? "resuming the run in %s%n" : "run folder %s%n", runDirectory);
        DjlRuntime.configure();
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = RecurrentNet.builder().setSpec(task.spec()).optDropout(options.dropout()).build();
            task.bind(net);
            TrainerConfig config = TrainerConfig.builder().setEpochs(options.epochs())
                    .optLearningRate(options.learningRate()).optCosineSchedule(options.learningRate() / 20)
                    .optWeightDecay(options.weightDecay())
                    .optMonitor(task.monitor(), task.higherIsBetter()).optPatience(options.patience())
                    .optSeed(options.seed()).build();
            Trainer<?> trainer = trainer(net, manager, task, config, runDirectory,
                    timeLimit(options.maxMinutes()), new ConsoleProgress(out, mode, 10));
            List<EpochRecord> history;
            int bestEpoch;
            boolean timeLimited = false;
            try {
                TrainingResult result = options.resume() ? trainer.resume() : trainer.fit();
                history = result.history();
                bestEpoch = result.bestEpoch();
            } catch (TimeLimitedTask.TimeLimitReached e) {
                timeLimited = true;
                out.printf(Locale.ROOT, "time limit of %s minutes reached after epoch %d of %d; exporting the best "
                        + "epoch%n", options.maxMinutes(), e.completedEpochs(), options.epochs());
                history = MetricsFile.read(runDirectory.resolve(Trainer.METRICS_FILE));
                bestEpoch = bestEpoch(history, task.monitor(), task.higherIsBetter());
                ParameterFiles.load(net, runDirectory.resolve(Trainer.BEST_PARAMETERS_FILE));
            }
            double trainingSeconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> metrics;
            try (NDManager evaluation = manager.newSubManager()) {
                metrics = new LinkedHashMap<>(task.finalMetrics(evaluation));
            }
            metrics.put("epochs_completed", (double) history.size());
            metrics.put("training_seconds", Math.round(trainingSeconds * 10) / 10.0);

            ModelMetadata.Builder metadata = ModelMetadata.builder().setTask(options.task().modelTask());
            task.describeModel(metadata);
            Map<String, Object> provenance = provenance(options, task, config, runDirectory, history.size(),
                    bestEpoch, timeLimited, trainingSeconds);
            if (search != null) {
                provenance.put("search", search);
            }
            metadata.optTraining(provenance);
            metadata.optMetrics(metrics);
            Optional<BaselineVerdict> verdict = task.verdict(metrics);
            verdict.ifPresent(v -> metadata.optBaseline(v.toMap()));
            ParityReport parity = ModelExporter.builder().build().write(net, metadata, options.out());
            task.writePlots(runDirectory, history);
            TrainedModel trained = new TrainedModel(options, options.out(), ModelCards.cardPath(options.out()),
                    runDirectory, metrics, parity, history, bestEpoch, timeLimited, trainingSeconds);
            try (RecurrentModel exported = RecurrentModel.load(options.out())) {
                ModelCards.writeCard(exported, trained.card());
            }
            out.printf(Locale.ROOT, "wrote %s (%,d bytes), parity max |diff| %.2e over %d cases; %s%n",
                    options.out(), Files.size(options.out()), parity.maxAbsDiff(), parity.cases(),
                    ModelCards.metricsLine(metrics));
            verdict.ifPresent(v -> out.printf(Locale.ROOT, "%s %s%n", options.out().getFileName(), v.sentence()));
            if (task instanceof ForecastTask forecast) {
                out.println(forecast.describeIntervals());
            }
            return trained;
        }
    }

    /** The wall-clock budget; at least a nanosecond when any is set, so that a tiny budget still stops. */
    private static Duration timeLimit(double minutes) {
        return Duration.ofNanos(Math.max(minutes > 0 ? 1 : 0, Math.round(minutes * 60e9)));
    }

    private static <B> Trainer<B> trainer(RecurrentNet net, NDManager manager, RecurrentTask<B> task,
                                          TrainerConfig config, Path runDirectory, Duration limit,
                                          ConsoleProgress progress) {
        return Trainer.<B>builder().setModel(net).setManager(manager).setTask(new TimeLimitedTask<>(task, limit))
                .setConfig(config).setRunDirectory(runDirectory).optProgress(progress).build();
    }

    private static Map<String, Object> provenance(TrainingOptions options, RecurrentTask<?> task,
                                                  TrainerConfig config, Path runDirectory, int epochs, int bestEpoch,
                                                  boolean timeLimited, double seconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", options.commandLine());
        m.put("data", task.describeData());
        m.put("seed", options.seed());
        m.put("epochs", options.epochs());
        m.put("epochs_completed", epochs);
        m.put("best_epoch", bestEpoch + 1);
        m.put("time_limited", timeLimited);
        m.put("hyperparameters", options.hyperparameters());
        m.put("optimizer", config.toMap());
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("stepwise", STEPWISE_VERSION);
        versions.put("djl", Engine.getDjlVersion());
        versions.put("pytorch", DjlRuntime.engine().getVersion());
        versions.put("java", System.getProperty("java.version"));
        versions.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("versions", versions);
        m.put("date", Instant.now().toString());
        m.put("training_seconds", Math.round(seconds * 10) / 10.0);
        m.put("run_directory", runDirectory.toString());
        m.put("threads", Runtime.getRuntime().availableProcessors());
        return m;
    }

    private static int bestEpoch(List<EpochRecord> history, String monitor, boolean higherIsBetter) {
        int best = -1;
        for (EpochRecord r : history) {
            if (best < 0 || (higherIsBetter ? r.metric(monitor) > history.get(best).metric(monitor)
                    : r.metric(monitor) < history.get(best).metric(monitor))) {
                best = history.indexOf(r);
            }
        }
        return best < 0 ? -1 : history.get(best).epoch();
    }
}
