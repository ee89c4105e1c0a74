package io.stepwise.training.cli;

import io.stepwise.conversion.CellKind;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.tasks.training.ModelTraining;
import io.stepwise.training.tasks.training.TrainedModel;
import io.stepwise.training.tasks.training.TrainingOptions;
import io.stepwise.training.train.ConsoleProgress;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code stepwise train}: trains one model and exports it with proven parity and a model card.
 *
 * <p>The option names of the training settings live here and nowhere else: each option field is named after the
 * {@link Setting} it sets ({@link Setting#id()}), which is how errors from the training code, which name settings,
 * get the option's name ({@link #option(Setting)}).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model, export it to ONNX (parity with the DJL network proven and recorded) and write "
                + "its model card <name>.md beside it.",
            "Defaults: language-model on the English Europarl sample, forecast on data/timeseries/co2_weekly.csv, "
                + "classify on data/words; unset hyperparameters take the task's defaults."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--task", required = true, description = "language-model, forecast, classify or event-model "
            + "(next-event prediction over sequences of named events, one sequence per line; --data required).")
    String task;
    @Option(names = "--cell", required = true, description = "rnn (tanh), rnn-relu, lstm or gru.")
    String cell;
    @Option(names = "--layers", description = "Stacked recurrent layers.")
    Integer layers;
    @Option(names = "--hidden", description = "Hidden size per layer and direction.")
    Integer hidden;
    @Option(names = "--embedding", description = "Character embedding width (language-model, classify).")
    Integer embedding;
    @Option(names = "--dropout", description = "Training-only dropout between layers and before the head.")
    Float dropout;
    @Option(names = "--bidirectional", negatable = true,
            description = "Read words both ways (classify only; default on for classify).")
    Boolean bidirectional;
    @Option(names = "--epochs", description = "Maximum epochs.")
    Integer epochs;
    @Option(names = "--batch-size", description = "Sequences per training step.")
    Integer batchSize;
    @Option(names = "--bptt", description = "Truncated back-propagation length in tokens (language-model, "
            + "event-model).")
    Integer bptt;
    @Option(names = "--lr", description = "Peak Adam learning rate (cosine decay to lr/20).")
    Float learningRate;
    @Option(names = "--weight-decay", description = "Decoupled (AdamW) weight decay, in [0, 1] (default 0).")
    Float weightDecay;
    @Option(names = "--label-smoothing", description = "classify: share of the target spread over all labels, in "
            + "[0, 1) (default 0).")
    Float labelSmoothing;
    @Option(names = "--token-dropout", description = "classify on words: chance that a training word's character is "
            + "read as the unknown token, in [0, 1) (default 0; validation and test words are read unchanged).")
    Float tokenDropout;
    @Option(names = "--seed", description = "Seed of initialisation, shuffling and dropout.")
    Long seed;
    @Option(names = "--patience", description = "Stop after this many epochs without improvement (0 = never).")
    Integer patience;
    @Option(names = "--max-minutes", description = "Stop after the epoch that ends past this budget (0 = none).")
    Double maxMinutes;
    @Option(names = "--data", description = "Text file (language-model), CSV (forecast), or for classify a folder "
            + "of <label>.txt word lists or a CSV file with a header naming 'text' and 'label' columns.")
    Path data;
    @Option(names = "--max-chars", description = "language-model on the default Europarl text: characters used.")
    Integer maxChars;
    @Option(names = "--window", description = "forecast: input window in steps.")
    Integer window;
    @Option(names = "--horizon", description = "forecast: steps forecast from each origin.")
    Integer horizon;
    @Option(names = "--season", description = "forecast: season length of the seasonal-naive baseline.")
    Integer season;
    @Option(names = "--test-length", description = "forecast: held-out tail in steps.")
    Integer testLength;
    @Option(names = "--validation-length", description = "forecast: validation steps before the tail.")
    Integer validationLength;
    @Option(names = "--scale-headroom", description = "forecast: stored std = training std × this (≥ 1), keeping a "
            + "trending series inside the cells' near-linear range.")
    Double scaleHeadroom;
    @Option(names = "--target", description = "forecast: the column to forecast (required when the CSV has several "
            + "value columns).")
    String target;
    @Option(names = "--features", split = ",", description = "forecast: covariate columns read with the target, "
            + "comma-separated (the model forecasts them too).")
    List<String> features;
    @Option(names = "--known-features", split = ",", description = "forecast: covariates (of --features) whose "
            + "future values are known in advance, e.g. a calendar or a planned price; the model is trained with "
            + "their actual values over the horizon and takes them at forecast time.")
    List<String> knownFeatures;
    @Option(names = "--time", description = "forecast: the time-stamp column (default: the first column when it "
            + "holds dates).")
    String time;
    @Option(names = "--series", description = "forecast: the series-id column of a file holding several series.")
    String series;
    @Option(names = "--trials", description = "forecast: settings tried by the validation-based search (1 = train "
            + "the derived settings only; default 3).")
    Integer trials;
    @Option(names = "--out", description = "Model file (.onnx), or a folder for <task>-<cell>.onnx "
            + "(default: the current folder).")
    Path out;
    @Option(names = "--run-dir", description = "Folder for checkpoints, metrics.json and plots "
            + "(default: runs/<model>-<time>).")
    Path runDirectory;
    @Option(names = "--resume", description = "Continue the run in --run-dir from its last checkpoint.")
    boolean resume;
    @Option(names = "--progress", description = "Progress display: ${COMPLETION-CANDIDATES}.",
            defaultValue = "AUTO")
    ConsoleProgress.Mode progress;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Setting → option name, read from this class's option fields. */
    private static final class Options {
        static final Map<Setting, String> NAMES = names();

        private static Map<Setting, String> names() {
            Map<Setting, String> names = new EnumMap<>(Setting.class);
            for (CommandLine.Model.OptionSpec option : new CommandLine(new TrainCommand()).getCommandSpec()
                    .options()) {
                if (option.userObject() instanceof Field field) {
                    for (Setting setting : Setting.values()) {
                        if (setting.id().equals(field.getName())) {
                            names.put(setting, option.longestName());
                        }
                    }
                }
            }
            return names;
        }
    }

    /** The option that sets {@code setting}, e.g. {@code --batch-size}; every setting has one. */
    public static String option(Setting setting) {
        String name = Options.NAMES.get(setting);
        if (name == null) {
            throw new IllegalStateException("train has no option for the setting " + setting);
        }
        return name;
    }

    @Override
    public Integer call() throws Exception {
        TrainingOptions options = options(spec.commandLine().getParseResult().originalArgs());
        PrintStream stdout = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true,
                StandardCharsets.UTF_8);
        TrainedModel trained = ModelTraining.train(options, stdout, progress);
        stdout.flush();
        PrintWriter out = spec.commandLine().getOut();
        if (trained.timeLimited()) {
            out.printf(Locale.ROOT, "stopped by %s %s after epoch %d of %d; continue with %s %s %s%n",
                    option(Setting.MAX_MINUTES), options.maxMinutes(), trained.history().size(), options.epochs(),
                    option(Setting.RESUME), option(Setting.RUN_DIRECTORY), trained.runDirectory());
        }
        out.printf(Locale.ROOT, "model card %s, plots and metrics.json in %s%n", trained.card(),
                trained.runDirectory());
        return 0;
    }

    /** The options of this command line, with the default model file name when --out is a folder. */
    TrainingOptions options(List<String> originalArgs) {
        TaskKind kind = TaskKind.fromName(task);
        CellKind cellKind;
        try {
            cellKind = CellKind.fromId(cell);
        } catch (IllegalArgumentException e) {
            // "cell: expected one of ..." from the conversion module, which names its argument.
            throw new IllegalArgumentException(option(Setting.CELL) + e.getMessage().replaceFirst("^cell", ""), e);
        }
        Path file = modelFile(out, kind, cellKind, data);
        return TrainingOptions.builder().setTask(kind).setCell(cellKind).setOut(file).optLayers(layers)
                .optHidden(hidden).optEmbedding(embedding).optDropout(dropout).optBidirectional(bidirectional)
                .optEpochs(epochs).optBatchSize(batchSize).optBptt(bptt).optLearningRate(learningRate).optSeed(seed)
                .optWeightDecay(weightDecay).optLabelSmoothing(labelSmoothing).optTokenDropout(tokenDropout)
                .optPatience(patience).optMaxMinutes(maxMinutes).optData(data).optMaxChars(maxChars)
                .optWindow(window).optHorizon(horizon).optSeason(season).optTestLength(testLength)
                .optValidationLength(validationLength).optScaleHeadroom(scaleHeadroom).optRunDirectory(runDirectory)
                .optTarget(target).optFeatures(features).optKnownFeatures(knownFeatures).optTime(time).optSeries(series).optTrials(trials)
                .optResume(resume)
                .optCommandLine(StepwiseCli.commandLine(withoutDisplayOptions(
                        originalArgs.isEmpty() || !originalArgs.get(0).equals("train")
                                ? prepend(originalArgs) : originalArgs)))
                .build();
    }

    /** The arguments without --progress and --verbose, which change what is shown but not what is trained. */
    private static List<String> withoutDisplayOptions(List<String> args) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--verbose") || a.startsWith("--progress=")) {
                continue;
            }
            if (a.equals("--progress")) {
                i++;
                continue;
            }
            kept.add(a);
        }
        return kept;
    }

    private static List<String> prepend(List<String> args) {
        List<String> all = new ArrayList<>();
        all.add("train");
        all.addAll(args);
        return all;
    }

    /** {@code out} itself when it names a .onnx file; otherwise {@code out}/<default name>.onnx. */
    static Path modelFile(Path out, TaskKind task, CellKind cell, Path data) {
        if (out != null && out.getFileName() != null && out.getFileName().toString().endsWith(".onnx")
                && !Files.isDirectory(out)) {
            return out;
        }
        Path folder = out == null ? Path.of("") : out;
        return folder.resolve(defaultName(task, cell, data) + ".onnx");
    }

    /** e.g. {@code charlm-lstm}, {@code co2-gru}, {@code langid-rnn}. */
    public static String defaultName(TaskKind task, CellKind cell, Path data) {
        String prefix = task == TaskKind.FORECAST && (data == null || data.getFileName().toString()
                .equals(ForecastProtocol.DEFAULT_DATA.getFileName().toString())) ? "co2" : task.modelPrefix();
        String cellName = cell == CellKind.RNN_TANH ? "rnn" : cell.id().replace('_', '-');
        return prefix + "-" + cellName;
    }
}
