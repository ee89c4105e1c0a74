package io.stepwise.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The model-file contract as the runtime reads it (docs/model-format.md), in one place: the format version, the
 * metadata key names, and the closed sets of values as enums with their wire names.
 *
 * <p>The conversion module, which writes the files, keeps its own copy of these names
 * ({@code io.stepwise.conversion.MetadataKeys} and its {@code CellKind}, {@code HeadKind}, {@code InputKind},
 * {@code Task} enums): the runtime's only dependency must stay ONNX Runtime. A contract test in the runtime's
 * tests ({@code ModelFormatContractTest}) holds the two copies together: it writes a model with every key through
 * the exporter, reads it back here, and checks that the key sets and wire names agree.
 *
 * <p>Each enum's {@code toString()} is its wire name, so messages and descriptions read as the file does.
 */
public final class ModelFormat {
    /**
     * The newest format version this runtime reads ({@value #KEY_PREFIX}format), the one the exporter writes.
     * Format 2 added the {@link #SEQUENCE_LENGTHS_INPUT} graph input.
     */
    public static final int VERSION = 2;
    /** The oldest format version this runtime reads: format 1, without {@link #SEQUENCE_LENGTHS_INPUT}. */
    public static final int OLDEST_VERSION = 1;
    /**
     * Graph input of format 2: int32 [batch], each row's number of valid steps, so that sequences of different
     * lengths share one call (the batching front's prefill). The runtime feeds it on every run.
     */
    public static final String SEQUENCE_LENGTHS_INPUT = "sequence_lens";
    /** Prefix of every key Stepwise writes. */
    public static final String KEY_PREFIX = "stepwise.";

    /** Structural key: the format version. */
    public static final String FORMAT = KEY_PREFIX + "format";
    /** Structural key: the {@link Cell}. */
    public static final String CELL = KEY_PREFIX + "cell";
    /** Structural key: number of stacked layers L. */
    public static final String LAYERS = KEY_PREFIX + "layers";
    /** Structural key: hidden size H. */
    public static final String HIDDEN_SIZE = KEY_PREFIX + "hidden_size";
    /** Structural key: {@code true} when every layer runs in both directions. */
    public static final String BIDIRECTIONAL = KEY_PREFIX + "bidirectional";
    /** Structural key: the {@link InputKind}. */
    public static final String INPUT_KIND = KEY_PREFIX + "input_kind";
    /** Structural key: vocabulary size (tokens) or feature count F (features). */
    public static final String INPUT_SIZE = KEY_PREFIX + "input_size";
    /** Structural key: embedding width (token input only). */
    public static final String EMBEDDING_SIZE = KEY_PREFIX + "embedding_size";
    /** Structural key: the {@link Head}. */
    public static final String HEAD = KEY_PREFIX + "head";
    /** Structural key: output width O. */
    public static final String OUTPUT_SIZE = KEY_PREFIX + "output_size";
    /** Structural key: graph input name of the tokens or features. */
    public static final String INPUT_NAME = KEY_PREFIX + "input_name";
    /** Structural key: graph output name of the head's values. */
    public static final String OUTPUT_NAME = KEY_PREFIX + "output_name";
    /** Structural key: JSON array of the state input names (h, then c for an LSTM). */
    public static final String STATE_INPUTS = KEY_PREFIX + "state_inputs";
    /** Structural key: JSON array of the state output names, in the order of the inputs. */
    public static final String STATE_OUTPUTS = KEY_PREFIX + "state_outputs";

    /** Task-level key: the {@link Task}. */
    public static final String TASK = KEY_PREFIX + "task";
    /** Task-level key: JSON array of token strings, index = id. */
    public static final String VOCABULARY = KEY_PREFIX + "vocabulary";
    /** Task-level key: token id used for characters outside the vocabulary. */
    public static final String UNKNOWN_TOKEN = KEY_PREFIX + "unknown_token";
    /** Task-level key: JSON array of class labels, index = output position. */
    public static final String LABELS = KEY_PREFIX + "labels";
    /** Task-level key: JSON array, one name per input feature. */
    public static final String FEATURE_NAMES = KEY_PREFIX + "feature_names";
    /** Task-level key: JSON array, one name per output. */
    public static final String TARGET_NAMES = KEY_PREFIX + "target_names";
    /** Task-level key: JSON object {@code {"mean":[...],"std":[...]}}. */
    public static final String SCALING = KEY_PREFIX + "scaling";
    /** Task-level key: JSON object of forecaster settings (window, horizon, season...). */
    public static final String FORECAST = KEY_PREFIX + "forecast";
    /**
     * Task-level key: how far apart a forecaster's rows are, a wire name of
     * {@code io.stepwise.runtime.forecast.Frequency} ({@code daily}, {@code weekly}, {@code monthly},
     * {@code quarterly}, {@code yearly}).
     */
    public static final String FREQUENCY = KEY_PREFIX + "frequency";
    /**
     * Task-level key: a forecaster's prediction intervals, JSON object {@code {"method":...,"levels":[...],
     * "lower":[level][step][feature],"upper":[level][step][feature]}}, offsets in model (scaled) units, and optionally
     * {@code "calibration":{...}}, how training measured them (informative only; models without it read the same).
     */
    public static final String INTERVALS = KEY_PREFIX + "intervals";
    /**
     * Task-level key: the series of a global forecaster (one model over several series), JSON object
     * {@code {"column":..., "keys":[...], "mean":[series][feature], "std":[series][feature]}}: the series-id column
     * and each series' own scaling, used instead of {@link #SCALING} for the series picked by key.
     */
    public static final String SERIES = KEY_PREFIX + "series";
    /** Task-level key: JSON object of training provenance. */
    public static final String TRAINING = KEY_PREFIX + "training";
    /** Task-level key: JSON object of measured metrics, name → number. */
    public static final String METRICS = KEY_PREFIX + "metrics";
    /** Task-level key: JSON object {@code {"max_abs_diff":..., "tolerance":..., "cases":N}}. */
    public static final String PARITY = KEY_PREFIX + "parity";
    /** Task-level key: the {@link TokenUnit} of a token-input model; absent = {@code character}. */
    public static final String TOKEN_UNIT = KEY_PREFIX + "token_unit";
    /**
     * Task-level key: JSON object, the verdict on the model against its baseline ({@code metric}, {@code value},
     * {@code baseline}, {@code baseline_value}, {@code outcome}: beats/ties/loses/unknown, {@code verdict}: a sentence).
     */
    public static final String BASELINE = KEY_PREFIX + "baseline";

    /**
     * Integrity key (optional in format 1; not in the key lists above): the SHA-256 of the weights, hex, written by
     * the exporter and verified by the runtime before ONNX Runtime reads the file. How it is computed:
     * docs/model-format.md, "Weights checksum".
     */
    public static final String WEIGHTS_SHA256 = KEY_PREFIX + "weights_sha256";

    /**
     * Free-form key (not part of the format's key lists) that the training module writes: its evaluation protocol,
     * a JSON object whose {@code "data"} entry names the data file the model was evaluated on. The command line's
     * {@code forecast} reads it to find a default history.
     */
    public static final String EVALUATION = KEY_PREFIX + "evaluation";

    /** The structural keys, in the order the exporter writes them. */
    public static final List<String> STRUCTURAL_KEYS = List.of(FORMAT, CELL, LAYERS, HIDDEN_SIZE, BIDIRECTIONAL,
            INPUT_KIND, INPUT_SIZE, EMBEDDING_SIZE, HEAD, OUTPUT_SIZE, INPUT_NAME, OUTPUT_NAME, STATE_INPUTS,
            STATE_OUTPUTS);
    /** The task-level keys the format defines; any other {@code stepwise.*} key is free-form text. */
    public static final List<String> TASK_LEVEL_KEYS = List.of(TASK, VOCABULARY, UNKNOWN_TOKEN, LABELS,
            FEATURE_NAMES, TARGET_NAMES, SCALING, FORECAST, FREQUENCY, INTERVALS, SERIES, TRAINING, METRICS,
            PARITY, TOKEN_UNIT, BASELINE);

    private ModelFormat() {
    }

    /** What a model is for; decides which helper runs it. */
    public enum Task {
        /** Next-token logits at every step: {@code io.stepwise.runtime.text.TextGenerator}. */
        LANGUAGE_MODEL("language_model", true),
        /** The next step of a scaled series at every step: {@code io.stepwise.runtime.forecast.Forecaster}. */
        FORECASTER("forecaster", true),
        /** Label logits for a whole sequence: {@code io.stepwise.runtime.classify.SequenceClassifier}. */
        CLASSIFIER("classifier", true),
        /** The file does not say (a model bound by a {@link ModelSignature} without a task). Never written. */
        UNKNOWN("unknown", false);

        private final String wireName;
        private final boolean inFiles;

        Task(String wireName, boolean inFiles) {
            this.wireName = wireName;
            this.inFiles = inFiles;
        }

        /** The value of {@value ModelFormat#KEY_PREFIX}task, e.g. {@code language_model}. */
        public String wireName() {
            return wireName;
        }

        /** Whether a Stepwise file may carry this value ({@link #UNKNOWN} is the runtime's own). */
        public boolean inFiles() {
            return inFiles;
        }

        /** The value whose {@link #wireName()} is {@code name} among those files carry; empty for any other. */
        public static Optional<Task> fromWireName(String name) {
            return find(values(), name, Task::wireName, Task::inFiles);
        }

        @Override
        public String toString() {
            return wireName;
        }
    }

    /** The recurrent cell. */
    public enum Cell {
        /** Elman RNN with tanh. */
        RNN_TANH("rnn_tanh", true),
        /** Elman RNN with relu. */
        RNN_RELU("rnn_relu", true),
        /** Long short-term memory: carries a cell state c besides h. */
        LSTM("lstm", true),
        /** Gated recurrent unit (PyTorch's variant, {@code linear_before_reset=1}). */
        GRU("gru", true),
        /** A signature-bound graph's ONNX {@code RNN} operator, whose activation the runtime does not read. */
        RNN("rnn", false),
        /** A signature-bound graph whose recurrent operator the runtime did not find. */
        UNKNOWN("unknown", false);

        private final String wireName;
        private final boolean inFiles;

        Cell(String wireName, boolean inFiles) {
            this.wireName = wireName;
            this.inFiles = inFiles;
        }

        /** The value of {@value ModelFormat#KEY_PREFIX}cell, e.g. {@code lstm}. */
        public String wireName() {
            return wireName;
        }

        /** Whether a Stepwise file may carry this value ({@link #RNN} and {@link #UNKNOWN} are the runtime's). */
        public boolean inFiles() {
            return inFiles;
        }

        /** Whether the cell carries a cell state c besides the hidden state h. */
        public boolean hasCellState() {
            return this == LSTM;
        }

        /** The value whose {@link #wireName()} is {@code name} among those files carry; empty for any other. */
        public static Optional<Cell> fromWireName(String name) {
            return find(values(), name, Cell::wireName, Cell::inFiles);
        }

        @Override
        public String toString() {
            return wireName;
        }
    }

    /** What the network reads at each step. */
    public enum InputKind {
        /** Integer token ids looked up in an embedding (graph input int64 or int32). */
        TOKENS("tokens"),
        /** A vector of real-valued, already scaled features (graph input float). */
        FEATURES("features");

        private final String wireName;

        InputKind(String wireName) {
            this.wireName = wireName;
        }

        /** The value of {@value ModelFormat#KEY_PREFIX}input_kind. */
        public String wireName() {
            return wireName;
        }

        /** The value whose {@link #wireName()} is {@code name}; empty for any other. */
        public static Optional<InputKind> fromWireName(String name) {
            return find(values(), name, InputKind::wireName, k -> true);
        }

        @Override
        public String toString() {
            return wireName;
        }
    }

    /** Where the linear output head reads from. */
    public enum Head {
        /** Every step of the top layer: output [batch, sequence, O] (language models, forecasters). */
        PER_STEP("per_step"),
        /** The top layer's final states, directions concatenated: output [batch, O] (classifiers). */
        FINAL_STATE("final_state");

        private final String wireName;

        Head(String wireName) {
            this.wireName = wireName;
        }

        /** The value of {@value ModelFormat#KEY_PREFIX}head. */
        public String wireName() {
            return wireName;
        }

        /** The value whose {@link #wireName()} is {@code name}; empty for any other. */
        public static Optional<Head> fromWireName(String name) {
            return find(values(), name, Head::wireName, h -> true);
        }

        @Override
        public String toString() {
            return wireName;
        }
    }

    /** What one token id of a token-input model stands for. */
    public enum TokenUnit {
        /** One Unicode code point ({@code io.stepwise.runtime.text.CharTokenizer}); the default. */
        CHARACTER("character"),
        /** One named event of a sequence ({@code io.stepwise.runtime.text.EventVocabulary}). */
        EVENT("event");

        private final String wireName;

        TokenUnit(String wireName) {
            this.wireName = wireName;
        }

        /** The value of {@value ModelFormat#KEY_PREFIX}token_unit. */
        public String wireName() {
            return wireName;
        }

        /** The value whose {@link #wireName()} is {@code name}; empty for any other. */
        public static Optional<TokenUnit> fromWireName(String name) {
            return find(values(), name, TokenUnit::wireName, u -> true);
        }

        @Override
        public String toString() {
            return wireName;
        }
    }

    /** The wire names files may carry, sorted, for error messages: {@code [a, b, c]}. */
    static <E> String wireNames(E[] values, java.util.function.Function<E, String> name,
                                java.util.function.Predicate<E> inFiles) {
        return Arrays.stream(values).filter(inFiles).map(name).sorted()
                .collect(Collectors.joining(", ", "[", "]"));
    }

    private static <E> Optional<E> find(E[] values, String name, java.util.function.Function<E, String> wire,
                                        java.util.function.Predicate<E> inFiles) {
        for (E e : values) {
            if (inFiles.test(e) && wire.apply(e).equals(name)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
