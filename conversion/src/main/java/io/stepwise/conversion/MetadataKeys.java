package io.stepwise.conversion;

import java.util.List;

/**
 * The model file's metadata keys and format version, in one place for the writer ({@link OnnxExporter},
 * {@link ModelMetadata}) and the reader ({@link OnnxModelReader}). Values and meaning: docs/model-format.md.
 *
 * <p>The runtime, which must not depend on this module, keeps its own copy of these names in
 * {@code io.stepwise.runtime.ModelFormat}; a contract test in the runtime's tests writes every key with
 * {@link OnnxExporter}, reads it back with the runtime and checks that both copies list the same keys and enum
 * names (see ARCHITECTURE.md).
 */
public final class MetadataKeys {
    /**
     * Value of {@link #FORMAT} written by this module: the version of the model-file contract. Format 2 added the
     * {@code sequence_lens} graph input; format 1 files (without it) are still read.
     */
    public static final int FORMAT_VERSION = 2;
    /** The oldest format {@link OnnxModelReader} reads. */
    public static final int OLDEST_FORMAT_VERSION = 1;
    /** Prefix of every key Stepwise writes. */
    public static final String PREFIX = "stepwise.";

    // Structural keys, derived from the NetworkSpec by the exporter.
    public static final String FORMAT = PREFIX + "format";
    public static final String CELL = PREFIX + "cell";
    public static final String LAYERS = PREFIX + "layers";
    public static final String HIDDEN_SIZE = PREFIX + "hidden_size";
    public static final String BIDIRECTIONAL = PREFIX + "bidirectional";
    public static final String INPUT_KIND = PREFIX + "input_kind";
    public static final String INPUT_SIZE = PREFIX + "input_size";
    public static final String EMBEDDING_SIZE = PREFIX + "embedding_size";
    public static final String HEAD = PREFIX + "head";
    public static final String OUTPUT_SIZE = PREFIX + "output_size";
    public static final String INPUT_NAME = PREFIX + "input_name";
    public static final String OUTPUT_NAME = PREFIX + "output_name";
    public static final String STATE_INPUTS = PREFIX + "state_inputs";
    public static final String STATE_OUTPUTS = PREFIX + "state_outputs";

    // Task-level keys, written from ModelMetadata.
    public static final String TASK = PREFIX + "task";
    public static final String VOCABULARY = PREFIX + "vocabulary";
    public static final String UNKNOWN_TOKEN = PREFIX + "unknown_token";
    public static final String LABELS = PREFIX + "labels";
    public static final String FEATURE_NAMES = PREFIX + "feature_names";
    public static final String TARGET_NAMES = PREFIX + "target_names";
    public static final String SCALING = PREFIX + "scaling";
    public static final String FORECAST = PREFIX + "forecast";
    /** How far apart a forecaster's rows are: a {@link Frequency} wire name. */
    public static final String FREQUENCY = PREFIX + "frequency";
    /** A forecaster's prediction intervals: JSON object, see docs/model-format.md. */
    public static final String INTERVALS = PREFIX + "intervals";
    /** A global forecaster's series: its id column and per-series scaling (JSON object, see docs/model-format.md). */
    public static final String SERIES = PREFIX + "series";
    public static final String TRAINING = PREFIX + "training";
    public static final String METRICS = PREFIX + "metrics";
    public static final String PARITY = PREFIX + "parity";
    /** What a token id stands for: a {@link TokenUnit} id; absent = {@code character}. */
    public static final String TOKEN_UNIT = PREFIX + "token_unit";
    /** The verdict on the model against its baseline (JSON object, see docs/model-format.md). */
    public static final String BASELINE = PREFIX + "baseline";

    /**
     * Integrity key, written by {@link OnnxExporter} after the task-level keys: the SHA-256 of the weights
     * ({@link WeightsChecksum}), verified by the runtime at load. Optional in format 1, so older files still load.
     */
    public static final String WEIGHTS_SHA256 = PREFIX + "weights_sha256";

    /** The structural keys, in the order the exporter writes them. */
    public static final List<String> STRUCTURAL = List.of(FORMAT, CELL, LAYERS, HIDDEN_SIZE, BIDIRECTIONAL, INPUT_KIND,
            INPUT_SIZE, EMBEDDING_SIZE, HEAD, OUTPUT_SIZE, INPUT_NAME, OUTPUT_NAME, STATE_INPUTS, STATE_OUTPUTS);
    /** The task-level keys the format defines (any other {@code stepwise.*} key is free-form). */
    public static final List<String> TASK_LEVEL = List.of(TASK, VOCABULARY, UNKNOWN_TOKEN, LABELS, FEATURE_NAMES,
            TARGET_NAMES, SCALING, FORECAST, FREQUENCY, INTERVALS, SERIES, TRAINING, METRICS, PARITY,
            TOKEN_UNIT, BASELINE);

    private MetadataKeys() {
    }

    /** {@code key} with the {@value #PREFIX} prefix, added when missing. */
    static String prefixed(String key) {
        return key.startsWith(PREFIX) ? key : PREFIX + key;
    }
}
