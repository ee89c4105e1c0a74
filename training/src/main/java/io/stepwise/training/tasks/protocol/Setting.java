package io.stepwise.training.tasks.protocol;

/**
 * The settings of a training run and of an evaluation protocol, as named in error messages.
 *
 * <p>Errors about a setting are {@link InvalidSettingException}s that carry the setting itself, not a name for
 * it: the Java API reports {@link #id()} (the name of the {@code TrainingOptions} component, e.g.
 * {@code batchSize}), and the command line reports its own option name for it (e.g. {@code --batch-size}).
 */
public enum Setting {
    TASK("task"),
    CELL("cell"),
    LAYERS("layers"),
    HIDDEN("hidden"),
    EMBEDDING("embedding"),
    DROPOUT("dropout"),
    BIDIRECTIONAL("bidirectional"),
    EPOCHS("epochs"),
    BATCH_SIZE("batchSize"),
    BPTT("bptt"),
    LEARNING_RATE("learningRate"),
    /** Decoupled (AdamW) weight decay. */
    WEIGHT_DECAY("weightDecay"),
    /** Classifier: label smoothing. */
    LABEL_SMOOTHING("labelSmoothing"),
    /** Word classifier: training characters replaced by the unknown token. */
    TOKEN_DROPOUT("tokenDropout"),
    SEED("seed"),
    PATIENCE("patience"),
    MAX_MINUTES("maxMinutes"),
    /** The data file or folder (training data, or another copy of an evaluated model's data). */
    DATA("data"),
    MAX_CHARS("maxChars"),
    WINDOW("window"),
    HORIZON("horizon"),
    SEASON("season"),
    TEST_LENGTH("testLength"),
    VALIDATION_LENGTH("validationLength"),
    SCALE_HEADROOM("scaleHeadroom"),
    /** Forecaster: the column to forecast. */
    TARGET("target"),
    /** Forecaster: covariate columns read (and forecast) with the target. */
    FEATURES("features"),
    /** Forecaster: covariates whose future values are known in advance and given at forecast time. */
    KNOWN_FEATURES("knownFeatures"),
    /** Forecaster: the time-stamp column. */
    TIME("time"),
    /** Forecaster: the series-id column of a file holding several series. */
    SERIES("series"),
    /** Forecaster: settings tried by the validation-based search. */
    TRIALS("trials"),
    OUT("out"),
    RUN_DIRECTORY("runDirectory"),
    RESUME("resume");

    private final String id;

    Setting(String id) {
        this.id = id;
    }

    /** The setting's name in the Java API, e.g. {@code batchSize}. */
    public String id() {
        return id;
    }
}
