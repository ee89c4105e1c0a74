package io.stepwise.training.tasks.training;

import io.stepwise.conversion.CellKind;
import io.stepwise.training.tasks.DefaultPaths;
import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.ForecastColumns;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one training run needs: task, network, optimisation and data settings. Unset values take the task's
 * defaults ({@link Builder#build()}); every value is validated there (lower bounds here, upper bounds in
 * {@link TrainingLimits}), and a bad one is reported as an
 * {@link InvalidSettingException} naming its {@link Setting}, e.g. {@code hidden: expected ≥ 1 but got 0} (the
 * command line names its option instead: {@code --hidden: ...}).
 *
 * @param task             which task
 * @param cell             recurrent cell
 * @param layers           stacked recurrent layers
 * @param hidden           hidden size per layer and direction
 * @param embedding        character embedding width (language model, classifier)
 * @param dropout          training-only dropout between layers and before the head
 * @param bidirectional    whether layers also run backwards (classifier only)
 * @param epochs           maximum epochs
 * @param batchSize        sequences per training step
 * @param bptt             truncated back-propagation length in characters (language model)
 * @param learningRate     peak Adam learning rate (cosine decay to 0)
 * @param seed             seed of initialisation, shuffling and dropout
 * @param patience         epochs without improvement before stopping early (0 = never)
 * @param maxMinutes       wall-clock budget in minutes; training stops after the first epoch that ends past it
 *                         (0 = none)
 * @param data             data file or folder; {@code null} = the task's default data
 * @param maxChars         language model: most characters of text used (train + validation)
 * @param window           forecaster: input window in steps
 * @param horizon          forecaster: steps forecast from each origin
 * @param season           forecaster: season length of the seasonal-naive baseline and MASE scale
 * @param testLength       forecaster: held-out tail in steps
 * @param validationLength forecaster: validation steps before the tail
 * @param scaleHeadroom    forecaster: the stored std is the training std times this (≥ 1), so that a trending
 *                         series that leaves its training range stays where the cells are nearly linear
 * @param out              model file to write
 * @param runDirectory     checkpoints, metrics and plots; {@code null} = a new folder under {@code runs/}
 * @param resume           continue the run in {@code runDirectory} from its last checkpoint
 * @param commandLine      the command that started the run, recorded in the model's provenance
 * @param columns          forecaster: target, covariate, time and series columns of the CSV
 * @param trials           forecaster: settings tried by the validation-based search ({@link ForecastSearch});
 *                         1 = train the derived settings only
 * @param defaulted        the settings that were not given and took a default (for a forecaster, one derived
 *                         from the data by {@link ForecastDefaults}); the search varies only these
 * @param weightDecay      decoupled (AdamW) weight decay per step, relative to the learning rate (0 = none)
 * @param labelSmoothing   classifier: the share ε of the target spread evenly over all labels, so the loss is
 *                         (1 − ε) · cross-entropy + ε · mean over labels of −log p (0 = plain cross-entropy)
 * @param tokenDropout     word classifier: the chance that a character of a training word is replaced by the
 *                         unknown token (a training-only corruption; validation and test words are read as they
 *                         are)
 */
public record TrainingOptions(
        TaskKind task,
        CellKind cell,
        int layers,
        int hidden,
        int embedding,
        float dropout,
        boolean bidirectional,
        int epochs,
        int batchSize,
        int bptt,
        float learningRate,
        long seed,
        int patience,
        double maxMinutes,
        Path data,
        int maxChars,
        int window,
        int horizon,
        int season,
        int testLength,
        int validationLength,
        double scaleHeadroom,
        Path out,
        Path runDirectory,
        boolean resume,
        String commandLine,
        ForecastColumns columns,
        int trials,
        Set<Setting> defaulted,
        float weightDecay,
        float labelSmoothing,
        float tokenDropout) {

    public TrainingOptions {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(out, "out");
        atLeast(Setting.LAYERS, layers, 1);
        atLeast(Setting.HIDDEN, hidden, 1);
        atLeast(Setting.EMBEDDING, embedding, 1);
        atLeast(Setting.EPOCHS, epochs, 1);
        atLeast(Setting.BATCH_SIZE, batchSize, 1);
        atLeast(Setting.BPTT, bptt, 2);
        atLeast(Setting.PATIENCE, patience, 0);
        atLeast(Setting.WINDOW, window, 2);
        atLeast(Setting.HORIZON, horizon, 1);
        atLeast(Setting.SEASON, season, 1);
        atLeast(Setting.TEST_LENGTH, testLength, 1);
        atLeast(Setting.VALIDATION_LENGTH, validationLength, 1);
        atLeast(Setting.MAX_CHARS, maxChars, 1000);
        if (!(scaleHeadroom >= 1) || Double.isInfinite(scaleHeadroom)) {
            throw new InvalidSettingException(Setting.SCALE_HEADROOM, "expected a finite factor ≥ 1 but got "
                    + scaleHeadroom);
        }
        if (hidden > 4096) {
            throw new InvalidSettingException(Setting.HIDDEN, "expected at most 4096 but got " + hidden);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidSettingException(Setting.DROPOUT, "expected a rate in [0, 1) but got " + dropout);
        }
        if (!(learningRate > 0 && learningRate <= 1)) {
            throw new InvalidSettingException(Setting.LEARNING_RATE, "expected a learning rate in (0, 1] but got "
                    + learningRate);
        }
        if (!(maxMinutes >= 0) || Double.isInfinite(maxMinutes)) {
            throw new InvalidSettingException(Setting.MAX_MINUTES, "expected a finite number ≥ 0 (0 = no limit) but"
                    + " got " + maxMinutes);
        }
        if (bidirectional && task != TaskKind.CLASSIFY) {
            throw new InvalidSettingException(Setting.BIDIRECTIONAL, "only a classifier can read its input both "
                    + "ways; a " + task.cliName() + " model must run one step at a time");
        }
        if (task == TaskKind.FORECAST && horizon > testLength) {
            int length = testLength;
            int steps = horizon;
            throw new InvalidSettingException(Setting.HORIZON, names -> "expected at most "
                    + names.apply(Setting.TEST_LENGTH) + " (" + length + ") but got " + steps);
        }
        if (resume && runDirectory == null) {
            throw new InvalidSettingException(Setting.RESUME, names -> "needs " + names.apply(Setting.RUN_DIRECTORY)
                    + ", the folder of the run to continue");
        }
        String name = out.getFileName() == null ? "" : out.getFileName().toString();
        if (!name.endsWith(".onnx") || name.length() == ".onnx".length()) {
            throw new InvalidSettingException(Setting.OUT, "expected a model file name ending in .onnx but got '"
                    + out + "'");
        }
        commandLine = commandLine == null ? "" : commandLine;
        columns = columns == null ? ForecastColumns.DEFAULT : columns;
        atLeast(Setting.TRIALS, trials, 1);
        if (trials > ForecastSearch.MAX_TRIALS) {
            throw new InvalidSettingException(Setting.TRIALS, "expected at most " + ForecastSearch.MAX_TRIALS
                    + " but got " + trials);
        }
        defaulted = defaulted == null || defaulted.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(defaulted));
        if (!(weightDecay >= 0 && weightDecay <= 1)) {
            throw new InvalidSettingException(Setting.WEIGHT_DECAY, "expected a factor in [0, 1] but got "
                    + weightDecay);
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new InvalidSettingException(Setting.LABEL_SMOOTHING, "expected a share in [0, 1) but got "
                    + labelSmoothing);
        }
        if (!(tokenDropout >= 0 && tokenDropout < 1)) {
            throw new InvalidSettingException(Setting.TOKEN_DROPOUT, "expected a rate in [0, 1) but got "
                    + tokenDropout);
        }
        if (labelSmoothing > 0 && task != TaskKind.CLASSIFY) {
            throw new InvalidSettingException(Setting.LABEL_SMOOTHING, "only a classifier's targets can be "
                    + "smoothed; a " + task.cliName() + " model predicts a " + (task == TaskKind.FORECAST
                    ? "value" : "next token") + " (use 0)");
        }
        if (tokenDropout > 0 && task != TaskKind.CLASSIFY) {
            throw new InvalidSettingException(Setting.TOKEN_DROPOUT, "applies to a word classifier only, not to a "
                    + task.cliName() + " model (use 0)");
        }
    }

    /** These options with other forecast settings (for a trial of the settings search). */
    TrainingOptions withTrial(float learningRate, int window, double scaleHeadroom, Path out, Path runDirectory) {
        return new TrainingOptions(task, cell, layers, hidden, embedding, dropout, bidirectional, epochs, batchSize,
                bptt, learningRate, seed, patience, maxMinutes, data, maxChars, window, horizon, season, testLength,
                validationLength, scaleHeadroom, out, runDirectory, false, commandLine, columns, 1, defaulted,
                weightDecay, labelSmoothing, tokenDropout);
    }

    private static void atLeast(Setting setting, long value, long min) {
        if (value < min) {
            throw new InvalidSettingException(setting, "expected ≥ " + min + " but got " + value);
        }
    }

    /** The model's name: the output file name without {@code .onnx}. */
    public String modelName() {
        String name = out.getFileName().toString();
        return name.substring(0, name.length() - ".onnx".length());
    }

    /** The network and optimisation settings, for provenance. */
    public Map<String, Object> hyperparameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cell", cell.id());
        m.put("layers", layers);
        m.put("hidden", hidden);
        if (task != TaskKind.FORECAST) {
            m.put("embedding", embedding);
        }
        m.put("dropout", Double.parseDouble(Float.toString(dropout)));
        m.put("bidirectional", bidirectional);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        if (task == TaskKind.LANGUAGE_MODEL) {
            m.put("bptt", bptt);
            m.put("max_chars", maxChars);
        }
        if (task == TaskKind.EVENT_MODEL) {
            m.put("bptt", bptt);
        }
        if (task == TaskKind.FORECAST) {
            m.put("window", window);
            m.put("horizon", horizon);
            m.put("season", season);
            m.put("scale_headroom", scaleHeadroom);
            m.put("trials", trials);
        }
        m.put("learning_rate", Double.parseDouble(Float.toString(learningRate)));
        m.put("weight_decay", Double.parseDouble(Float.toString(weightDecay)));
        if (task == TaskKind.CLASSIFY) {
            m.put("label_smoothing", Double.parseDouble(Float.toString(labelSmoothing)));
            m.put("token_dropout", Double.parseDouble(Float.toString(tokenDropout)));
        }
        m.put("seed", seed);
        m.put("patience", patience);
        m.put("max_minutes", maxMinutes);
        return m;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builder: {@link #setTask}, {@link #setCell} and {@link #setOut} required; every {@code opt*} left unset takes
     * the task's default (see {@link #defaults}).
     */
    public static final class Builder {
        private TaskKind task;
        private CellKind cell;
        private Path out;
        private Integer layers;
        private Integer hidden;
        private Integer embedding;
        private Float dropout;
        private Boolean bidirectional;
        private Integer epochs;
        private Integer batchSize;
        private Integer bptt;
        private Float learningRate;
        private Long seed;
        private Integer patience;
        private Double maxMinutes;
        private Path data;
        private Integer maxChars;
        private Integer window;
        private Integer horizon;
        private Integer season;
        private Integer testLength;
        private Integer validationLength;
        private Double scaleHeadroom;
        private Path runDirectory;
        private boolean resume;
        private String commandLine;
        private String target;
        private List<String> features = List.of();
        private List<String> knownFeatures = List.of();
        private String time;
        private String series;
        private Integer trials;
        private Float weightDecay;
        private Float labelSmoothing;
        private Float tokenDropout;

        private Builder() {
        }

        /** Decoupled (AdamW) weight decay (default 0). */
        public Builder optWeightDecay(Float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Classifier: label smoothing ε in [0, 1) (default 0). */
        public Builder optLabelSmoothing(Float labelSmoothing) {
            this.labelSmoothing = labelSmoothing;
            return this;
        }

        /** Word classifier: chance that a training character becomes the unknown token (default 0). */
        public Builder optTokenDropout(Float tokenDropout) {
            this.tokenDropout = tokenDropout;
            return this;
        }

        /** Forecaster: the column to forecast (needed when the file has several value columns). */
        public Builder optTarget(String target) {
            this.target = target;
            return this;
        }

        /** Forecaster: covariate columns read with the target (the model forecasts them with it). */
        public Builder optFeatures(List<String> features) {
            this.features = features == null ? List.of() : List.copyOf(features);
            return this;
        }

        /** Forecaster: covariates (of the features) whose future values are known in advance. */
        public Builder optKnownFeatures(List<String> knownFeatures) {
            this.knownFeatures = knownFeatures == null ? List.of() : List.copyOf(knownFeatures);
            return this;
        }

        /** Forecaster: the time-stamp column (default: auto-detected, and said). */
        public Builder optTime(String time) {
            this.time = time;
            return this;
        }

        /** Forecaster: the series-id column of a file of several series (long format). */
        public Builder optSeries(String series) {
            this.series = series;
            return this;
        }

        /** Forecaster: settings tried by the validation-based search (1 = none). */
        public Builder optTrials(Integer trials) {
            this.trials = trials;
            return this;
        }

        public Builder setTask(TaskKind task) {
            this.task = task;
            return this;
        }

        public Builder setCell(CellKind cell) {
            this.cell = cell;
            return this;
        }

        public Builder setOut(Path out) {
            this.out = out;
            return this;
        }

        public Builder optLayers(Integer layers) {
            this.layers = layers;
            return this;
        }

        public Builder optHidden(Integer hidden) {
            this.hidden = hidden;
            return this;
        }

        public Builder optEmbedding(Integer embedding) {
            this.embedding = embedding;
            return this;
        }

        public Builder optDropout(Float dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder optBidirectional(Boolean bidirectional) {
            this.bidirectional = bidirectional;
            return this;
        }

        public Builder optEpochs(Integer epochs) {
            this.epochs = epochs;
            return this;
        }

        public Builder optBatchSize(Integer batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        public Builder optBptt(Integer bptt) {
            this.bptt = bptt;
            return this;
        }

        public Builder optLearningRate(Float learningRate) {
            this.learningRate = learningRate;
            return this;
        }

        public Builder optSeed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder optPatience(Integer patience) {
            this.patience = patience;
            return this;
        }

        public Builder optMaxMinutes(Double maxMinutes) {
            this.maxMinutes = maxMinutes;
            return this;
        }

        public Builder optData(Path data) {
            this.data = data;
            return this;
        }

        public Builder optMaxChars(Integer maxChars) {
            this.maxChars = maxChars;
            return this;
        }

        public Builder optWindow(Integer window) {
            this.window = window;
            return this;
        }

        public Builder optHorizon(Integer horizon) {
            this.horizon = horizon;
            return this;
        }

        public Builder optSeason(Integer season) {
            this.season = season;
            return this;
        }

        public Builder optTestLength(Integer testLength) {
            this.testLength = testLength;
            return this;
        }

        public Builder optValidationLength(Integer validationLength) {
            this.validationLength = validationLength;
            return this;
        }

        public Builder optScaleHeadroom(Double scaleHeadroom) {
            this.scaleHeadroom = scaleHeadroom;
            return this;
        }

        public Builder optRunDirectory(Path runDirectory) {
            this.runDirectory = runDirectory;
            return this;
        }

        public Builder optResume(boolean resume) {
            this.resume = resume;
            return this;
        }

        public Builder optCommandLine(String commandLine) {
            this.commandLine = commandLine;
            return this;
        }

        public TrainingOptions build() {
            if (task == null) {
                throw new InvalidSettingException(Setting.TASK, "required (language-model, forecast or classify)");
            }
            if (cell == null) {
                throw new InvalidSettingException(Setting.CELL, "required (rnn, rnn-relu, lstm or gru)");
            }
            if (out == null) {
                throw new InvalidSettingException(Setting.OUT, "required (the model file to write)");
            }
            TrainingOptions d = defaults(task, cell, out);
            ForecastColumns columns = task == TaskKind.FORECAST ? new ForecastColumns(target, features, time, series,
                    knownFeatures)
                    : ForecastColumns.DEFAULT;
            Set<Setting> defaulted = EnumSet.noneOf(Setting.class);
            Integer window = this.window;
            Integer horizon = this.horizon;
            Integer season = this.season;
            Integer testLength = this.testLength;
            Integer validationLength = this.validationLength;
            Double scaleHeadroom = this.scaleHeadroom;
            Integer epochs = this.epochs;
            if (task == TaskKind.FORECAST && (window == null || horizon == null || season == null
                    || testLength == null || validationLength == null || scaleHeadroom == null || epochs == null)) {
                Path file = data != null ? data : DefaultPaths.resolve(ForecastProtocol.DEFAULT_DATA);
                // Without readable data there is nothing to derive from: the weekly-CO2 defaults stand, and the
                // task reports the missing file when it loads its data.
                if (Files.isRegularFile(file)) {
                    // Several series: the settings must fit the shortest, which the message names when too short.
                    ForecastProtocol.Panel panel = ForecastProtocol.loadPanel(file, columns);
                    ForecastDefaults derived = ForecastDefaults.derive(panel.frequency(), panel.series().stream()
                            .mapToInt(l -> l.series().length()).toArray(),
                            file + (panel.isGlobal() ? " (shortest series: " + panel.seriesColumn() + " "
                                    + panel.shortestKey() + ")" : ""), season, window, horizon, validationLength, testLength, scaleHeadroom,
                            epochs, or(batchSize, d.batchSize));
                    window = derived.window();
                    horizon = derived.horizon();
                    season = derived.season();
                    testLength = derived.testLength();
                    validationLength = derived.validationLength();
                    scaleHeadroom = derived.scaleHeadroom();
                    epochs = derived.epochs();
                }
            }
            note(defaulted, Setting.WINDOW, this.window);
            note(defaulted, Setting.HORIZON, this.horizon);
            note(defaulted, Setting.SEASON, this.season);
            note(defaulted, Setting.TEST_LENGTH, this.testLength);
            note(defaulted, Setting.VALIDATION_LENGTH, this.validationLength);
            note(defaulted, Setting.SCALE_HEADROOM, this.scaleHeadroom);
            note(defaulted, Setting.LEARNING_RATE, learningRate);
            note(defaulted, Setting.HIDDEN, hidden);
            note(defaulted, Setting.EPOCHS, this.epochs);
            TrainingOptions options = new TrainingOptions(task, cell,
                    or(layers, d.layers), or(hidden, d.hidden), or(embedding, d.embedding), or(dropout, d.dropout),
                    or(bidirectional, d.bidirectional), or(epochs, d.epochs), or(batchSize, d.batchSize),
                    or(bptt, d.bptt), or(learningRate, d.learningRate), or(seed, d.seed), or(patience, d.patience),
                    or(maxMinutes, d.maxMinutes), data, or(maxChars, d.maxChars), or(window, d.window),
                    or(horizon, d.horizon), or(season, d.season), or(testLength, d.testLength),
                    or(validationLength, d.validationLength), or(scaleHeadroom, d.scaleHeadroom), out, runDirectory,
                    resume, commandLine, columns, or(trials, d.trials), defaulted, or(weightDecay, d.weightDecay),
                    or(labelSmoothing, d.labelSmoothing), or(tokenDropout, d.tokenDropout));
            TrainingLimits.check(options);
            return options;
        }

        private static void note(Set<Setting> defaulted, Setting setting, Object given) {
            if (given == null) {
                defaulted.add(setting);
            }
        }

        private static <T> T or(T value, T fallback) {
            return value != null ? value : fallback;
        }
    }

    /**
     * The defaults of a task: sized so that each default model trains in about a minute and a half on two CPU
     * cores (see models/README.md for what they reach).
     */
    public static TrainingOptions defaults(TaskKind task, CellKind cell, Path out) {
        return switch (task) {
            case LANGUAGE_MODEL -> new TrainingOptions(task, cell, 1, 256, 32, 0f, false, 5, 32, 64, 1e-2f, 42, 0, 0,
                    null, 400_000, 104, 26, 52, 104, 104, 1.0, out, null, false, "", null, 1, null, 0f, 0f, 0f);
            case FORECAST -> new TrainingOptions(task, cell, 1, 64, 16, 0f, false, 20, 32, 64, 1e-2f, 42, 0, 0,
                    null, 400_000, 104, 26, 52, 104, 104, 4.0, out, null, false, "", null,
                    ForecastSearch.DEFAULT_TRIALS, null, 0f, 0f, 0f);
            case CLASSIFY -> new TrainingOptions(task, cell, 1, 128, 32, 0f, true, 4, 64, 64, 3e-3f, 42, 0, 0,
                    null, 400_000, 104, 26, 52, 104, 104, 1.0, out, null, false, "", null, 1, null, 0f, 0f, 0f);
            case EVENT_MODEL -> new TrainingOptions(task, cell, 1, 128, 32, 0f, false, 10, 32, 32, 1e-2f, 42, 0, 0,
                    null, 400_000, 104, 26, 52, 104, 104, 1.0, out, null, false, "", null, 1, null, 0f, 0f, 0f);
        };
    }
}
