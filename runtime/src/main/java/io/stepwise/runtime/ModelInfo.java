package io.stepwise.runtime;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a loaded model is: its architecture (from the Stepwise metadata, or from the graph for models bound with a
 * {@link ModelSignature}), its task-level description and the raw metadata. Immutable; lists and maps are
 * unmodifiable and arrays are copied on the way out. Keys and value formats: docs/model-format.md.
 *
 * <p>String-valued fields use the ids of the format: task {@code language_model} / {@code forecaster} /
 * {@code classifier} (or {@value #UNKNOWN}), cell {@code rnn_tanh} / {@code rnn_relu} / {@code lstm} /
 * {@code gru} (or {@code rnn} / {@value #UNKNOWN} for signature-bound models whose graph does not tell),
 * input kind {@code tokens} / {@code features}, head {@code per_step} / {@code final_state}.
 */
public final class ModelInfo {
    /** The value of task or cell when the file does not say. */
    public static final String UNKNOWN = "unknown";
    public static final String LANGUAGE_MODEL = "language_model";
    public static final String FORECASTER = "forecaster";
    public static final String CLASSIFIER = "classifier";
    public static final String TOKENS = "tokens";
    public static final String FEATURES = "features";
    public static final String PER_STEP = "per_step";
    public static final String FINAL_STATE = "final_state";
    /** The model-file format version this runtime reads. */
    public static final int FORMAT_VERSION = 1;

    static final Set<String> TASKS = Set.of(LANGUAGE_MODEL, FORECASTER, CLASSIFIER);
    static final Set<String> CELLS = Set.of("rnn_tanh", "rnn_relu", "lstm", "gru");
    private static final String P = "stepwise.";

    /** Per-feature standardisation: model value = (x − mean) / std. Arrays are copied on the way in and out. */
    public record Scaling(double[] mean, double[] std) {
        public Scaling {
            mean = mean.clone();
            std = std.clone();
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] std() {
            return std.clone();
        }

        @Override
        public String toString() {
            return "mean=" + Arrays.toString(mean) + " std=" + Arrays.toString(std);
        }
    }

    /** The parity figure measured at export: largest absolute difference, tolerance, number of cases. */
    public record Parity(double maxAbsDiff, double tolerance, int cases) {
    }

    private final int formatVersion;
    private final String task;
    private final String cell;
    private final int layers;
    private final int hiddenSize;
    private final boolean bidirectional;
    private final String inputKind;
    private final int inputSize;
    private final int embeddingSize;
    private final String head;
    private final int outputSize;
    private final String inputName;
    private final String outputName;
    private final List<String> stateInputs;
    private final List<String> stateOutputs;
    private final List<String> vocabulary;
    private final OptionalInt unknownToken;
    private final List<String> labels;
    private final List<String> featureNames;
    private final List<String> targetNames;
    private final Scaling scaling;
    private final Map<String, Object> forecast;
    private final Map<String, Object> training;
    private final Map<String, Double> metrics;
    private final Parity parity;
    private final Map<String, String> metadata;
    private final String fingerprint;

    private ModelInfo(Parts p) {
        this.formatVersion = p.formatVersion;
        this.task = p.task;
        this.cell = p.cell;
        this.layers = p.layers;
        this.hiddenSize = p.hiddenSize;
        this.bidirectional = p.bidirectional;
        this.inputKind = p.inputKind;
        this.inputSize = p.inputSize;
        this.embeddingSize = p.embeddingSize;
        this.head = p.head;
        this.outputSize = p.outputSize;
        this.inputName = p.inputName;
        this.outputName = p.outputName;
        this.stateInputs = List.copyOf(p.stateInputs);
        this.stateOutputs = List.copyOf(p.stateOutputs);
        this.vocabulary = List.copyOf(p.vocabulary);
        this.unknownToken = p.unknownToken;
        this.labels = List.copyOf(p.labels);
        this.featureNames = List.copyOf(p.featureNames);
        this.targetNames = List.copyOf(p.targetNames);
        this.scaling = p.scaling;
        this.forecast = p.forecast;
        this.training = p.training;
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(p.metrics));
        this.parity = p.parity;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(p.metadata));
        this.fingerprint = computeFingerprint();
    }

    /** The Stepwise format version of the file, or 0 for a model bound with a {@link ModelSignature}. */
    public int formatVersion() {
        return formatVersion;
    }

    /** {@code language_model}, {@code forecaster}, {@code classifier} or {@value #UNKNOWN}. */
    public String task() {
        return task;
    }

    /** {@code rnn_tanh}, {@code rnn_relu}, {@code lstm}, {@code gru} (signature-bound: also {@code rnn}, {@value #UNKNOWN}). */
    public String cell() {
        return cell;
    }

    public int layers() {
        return layers;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public boolean bidirectional() {
        return bidirectional;
    }

    /** 2 when bidirectional, else 1. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /** Rows of a state tensor: layers × directions. */
    public int stateRows() {
        return layers * directions();
    }

    /** Whether the model carries a cell state {@code c} besides {@code h} (LSTM). */
    public boolean hasCellState() {
        return stateInputs.size() == 2;
    }

    /** {@code tokens} or {@code features}. */
    public String inputKind() {
        return inputKind;
    }

    public boolean isTokenInput() {
        return TOKENS.equals(inputKind);
    }

    /** Vocabulary size (tokens; 0 when a signature-bound model does not say) or feature count F. */
    public int inputSize() {
        return inputSize;
    }

    /** Embedding width for token input (0 for features, or when unknown). */
    public int embeddingSize() {
        return embeddingSize;
    }

    /** {@code per_step} or {@code final_state}. */
    public String head() {
        return head;
    }

    public boolean isPerStep() {
        return PER_STEP.equals(head);
    }

    /** Width O of the head's output. */
    public int outputSize() {
        return outputSize;
    }

    /** Graph input name of the tokens or features. */
    public String inputName() {
        return inputName;
    }

    /** Graph output name of the head's values. */
    public String outputName() {
        return outputName;
    }

    /** State input names: h, then c for an LSTM. */
    public List<String> stateInputs() {
        return stateInputs;
    }

    /** State output names, in the order of {@link #stateInputs()}. */
    public List<String> stateOutputs() {
        return stateOutputs;
    }

    /** Token strings, index = id; empty when the model has none. */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** Token id used for characters outside the vocabulary, if any. */
    public OptionalInt unknownToken() {
        return unknownToken;
    }

    /** Class labels, index = output position (classifiers); else empty. */
    public List<String> labels() {
        return labels;
    }

    /** One name per input feature (forecasters); else empty. */
    public List<String> featureNames() {
        return featureNames;
    }

    /** One name per output (forecasters); else empty. */
    public List<String> targetNames() {
        return targetNames;
    }

    public Optional<Scaling> scaling() {
        return Optional.ofNullable(scaling);
    }

    /** Forecaster settings such as window, horizon, season (numbers are Long or Double); else empty. */
    public Map<String, Object> forecast() {
        return forecast;
    }

    /** Training provenance (command, data, seed, epochs, versions, date); else empty. */
    public Map<String, Object> training() {
        return training;
    }

    /** Measured metrics, name → value; else empty. */
    public Map<String, Double> metrics() {
        return metrics;
    }

    public Optional<Parity> parity() {
        return Optional.ofNullable(parity);
    }

    /** Every metadata property of the file, as stored. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * A 16-hex-digit hash of what makes states interchangeable: cell, layers, hidden size, directions, input kind
     * and size, head and output size, vocabulary. Models with equal fingerprints accept each other's
     * {@link SessionState}s; it identifies an architecture, not a particular set of weights.
     */
    public String fingerprint() {
        return fingerprint;
    }

    private String computeFingerprint() {
        String canonical = String.join("|", cell, Integer.toString(layers), Integer.toString(hiddenSize),
                Boolean.toString(bidirectional), inputKind, Integer.toString(inputSize), head,
                Integer.toString(outputSize), Integer.toString(stateInputs.size()), String.join("\u0000", vocabulary));
        long h = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte b : canonical.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return String.format(Locale.ROOT, "%016x", h);
    }

    /** A readable multi-line description, as the CLI's {@code inspect} prints it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        line(sb, "format", formatVersion == 0 ? "(bound by signature)" : Integer.toString(formatVersion));
        line(sb, "task", task);
        line(sb, "network", cell + " × " + layers + " layer" + (layers == 1 ? "" : "s") + ", hidden " + hiddenSize
                + (bidirectional ? ", bidirectional" : ""));
        line(sb, "input", isTokenInput()
                ? "tokens, vocabulary " + (inputSize > 0 ? inputSize : "?")
                        + (embeddingSize > 0 ? ", embedding " + embeddingSize : "")
                : "features, " + inputSize + " per step");
        line(sb, "output", outputSize + " " + (isPerStep() ? "per step" : "from the final state"));
        line(sb, "graph", inputName + " + " + stateInputs + " → " + outputName + " + " + stateOutputs);
        line(sb, "fingerprint", fingerprint);
        if (!vocabulary.isEmpty()) {
            line(sb, "vocabulary", preview(vocabulary));
        }
        unknownToken.ifPresent(u -> line(sb, "unknown token", Integer.toString(u)));
        if (!labels.isEmpty()) {
            line(sb, "labels", preview(labels));
        }
        if (!featureNames.isEmpty()) {
            line(sb, "features", preview(featureNames));
        }
        if (!targetNames.isEmpty()) {
            line(sb, "targets", preview(targetNames));
        }
        if (scaling != null) {
            line(sb, "scaling", scaling.toString());
        }
        if (!forecast.isEmpty()) {
            line(sb, "forecast", forecast.toString());
        }
        if (!metrics.isEmpty()) {
            line(sb, "metrics", metrics.toString());
        }
        if (parity != null) {
            line(sb, "parity", String.format(Locale.ROOT, "max |diff| %.3g (tolerance %.3g, %d cases)",
                    parity.maxAbsDiff(), parity.tolerance(), parity.cases()));
        }
        if (!training.isEmpty()) {
            line(sb, "training", "");
            new TreeMap<>(training).forEach((k, v) -> sb.append("    ").append(k).append(": ").append(v).append('\n'));
        }
        Map<String, String> other = new TreeMap<>();
        metadata.forEach((k, v) -> {
            if (!KNOWN_KEYS.contains(k)) {
                other.put(k, v);
            }
        });
        if (!other.isEmpty()) {
            line(sb, "other metadata", "");
            other.forEach((k, v) -> sb.append("    ").append(k).append(" = ").append(v).append('\n'));
        }
        return sb.toString();
    }

    private static final Set<String> KNOWN_KEYS = Set.of(P + "format", P + "cell", P + "layers", P + "hidden_size",
            P + "bidirectional", P + "input_kind", P + "input_size", P + "embedding_size", P + "head",
            P + "output_size", P + "input_name", P + "output_name", P + "state_inputs", P + "state_outputs",
            P + "task", P + "vocabulary", P + "unknown_token", P + "labels", P + "feature_names", P + "target_names",
            P + "scaling", P + "forecast", P + "training", P + "metrics", P + "parity");

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format(Locale.ROOT, "%-14s %s%n", key + ":", value));
    }

    private static String preview(List<String> values) {
        int shown = Math.min(values.size(), 40);
        StringBuilder sb = new StringBuilder().append(values.size()).append(" [");
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(printable(values.get(i)));
        }
        return sb.append(values.size() > shown ? ", …]" : "]").toString();
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\'' -> sb.append("\\'");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('\'').toString();
    }

    // ---- construction (package-private) ----

    /** Mutable collector used by the loader; checked and frozen by {@link #build()}. */
    static final class Parts {
        int formatVersion;
        String task = UNKNOWN;
        String cell = UNKNOWN;
        int layers;
        int hiddenSize;
        boolean bidirectional;
        String inputKind;
        int inputSize;
        int embeddingSize;
        String head = PER_STEP;
        int outputSize;
        String inputName;
        String outputName;
        List<String> stateInputs = List.of();
        List<String> stateOutputs = List.of();
        List<String> vocabulary = List.of();
        OptionalInt unknownToken = OptionalInt.empty();
        List<String> labels = List.of();
        List<String> featureNames = List.of();
        List<String> targetNames = List.of();
        Scaling scaling;
        Map<String, Object> forecast = Map.of();
        Map<String, Object> training = Map.of();
        Map<String, Double> metrics = Map.of();
        Parity parity;
        Map<String, String> metadata = Map.of();

        ModelInfo build() {
            if (layers < 1 || hiddenSize < 1 || outputSize < 1) {
                throw new IllegalArgumentException("layers, hidden size and output size must be positive but are "
                        + layers + ", " + hiddenSize + ", " + outputSize);
            }
            if (!vocabulary.isEmpty() && inputSize > 0 && vocabulary.size() != inputSize) {
                throw new IllegalArgumentException(P + "vocabulary: the model embeds " + inputSize
                        + " tokens but the vocabulary has " + vocabulary.size());
            }
            if (unknownToken.isPresent() && inputSize > 0 && TOKENS.equals(inputKind)
                    && unknownToken.getAsInt() >= inputSize) {
                throw new IllegalArgumentException(P + "unknown_token: " + unknownToken.getAsInt()
                        + " is outside the vocabulary [0, " + inputSize + ")");
            }
            return new ModelInfo(this);
        }
    }

    /**
     * Fills the task-level keys (shared by Stepwise files and signature-bound files that carry them).
     *
     * @throws IllegalArgumentException naming the key and the problem
     */
    static void readTaskKeys(Map<String, String> meta, Parts p) {
        p.metadata = meta;
        String task = meta.get(P + "task");
        if (task != null) {
            if (!TASKS.contains(task)) {
                throw new IllegalArgumentException(P + "task: expected one of " + TASKS + " but got '" + task + "'");
            }
            p.task = task;
        }
        if (meta.containsKey(P + "vocabulary")) {
            p.vocabulary = stringList(meta, "vocabulary");
        }
        if (meta.containsKey(P + "unknown_token")) {
            int u = integer(meta, "unknown_token");
            if (u < 0) {
                throw new IllegalArgumentException(P + "unknown_token: expected a token id ≥ 0 but got " + u);
            }
            p.unknownToken = OptionalInt.of(u);
        }
        if (meta.containsKey(P + "labels")) {
            p.labels = stringList(meta, "labels");
        }
        if (meta.containsKey(P + "feature_names")) {
            p.featureNames = stringList(meta, "feature_names");
        }
        if (meta.containsKey(P + "target_names")) {
            p.targetNames = stringList(meta, "target_names");
        }
        if (meta.containsKey(P + "scaling")) {
            Map<String, Object> s = object(meta, "scaling");
            double[] mean = numbers(s.get("mean"), "scaling.mean");
            double[] std = numbers(s.get("std"), "scaling.std");
            if (mean.length != std.length) {
                throw new IllegalArgumentException(P + "scaling: mean has " + mean.length + " entries but std has "
                        + std.length);
            }
            for (int i = 0; i < std.length; i++) {
                if (!(std[i] > 0) || !Double.isFinite(std[i]) || !Double.isFinite(mean[i])) {
                    throw new IllegalArgumentException(P + "scaling: feature " + i + " has mean " + mean[i]
                            + " and std " + std[i] + "; expected finite values and std > 0");
                }
            }
            p.scaling = new Scaling(mean, std);
        }
        if (meta.containsKey(P + "forecast")) {
            p.forecast = object(meta, "forecast");
        }
        if (meta.containsKey(P + "training")) {
            p.training = object(meta, "training");
        }
        if (meta.containsKey(P + "metrics")) {
            Map<String, Double> m = new LinkedHashMap<>();
            object(meta, "metrics").forEach((k, v) -> {
                if (!(v instanceof Number n)) {
                    throw new IllegalArgumentException(P + "metrics: '" + k + "' should be a number but is " + v);
                }
                m.put(k, n.doubleValue());
            });
            p.metrics = m;
        }
        if (meta.containsKey(P + "parity")) {
            Map<String, Object> m = object(meta, "parity");
            p.parity = new Parity(number(m.get("max_abs_diff"), "parity.max_abs_diff"),
                    number(m.get("tolerance"), "parity.tolerance"), (int) number(m.get("cases"), "parity.cases"));
        }
    }

    /**
     * Reads a Stepwise file's metadata (format 1).
     *
     * @throws IllegalArgumentException naming the missing or malformed key
     */
    static ModelInfo fromStepwiseMetadata(Map<String, String> meta) {
        Parts p = new Parts();
        int format = integer(meta, "format");
        if (format != FORMAT_VERSION) {
            throw new IllegalArgumentException(P + "format: this runtime reads format " + FORMAT_VERSION
                    + " but the file is format " + format + (format > FORMAT_VERSION ? "; upgrade stepwise-runtime" : ""));
        }
        p.formatVersion = format;
        p.cell = oneOf(meta, "cell", CELLS);
        p.layers = positive(meta, "layers");
        p.hiddenSize = positive(meta, "hidden_size");
        p.bidirectional = bool(meta, "bidirectional");
        p.inputKind = oneOf(meta, "input_kind", Set.of(TOKENS, FEATURES));
        p.inputSize = positive(meta, "input_size");
        p.embeddingSize = TOKENS.equals(p.inputKind) ? positive(meta, "embedding_size") : 0;
        p.head = oneOf(meta, "head", Set.of(PER_STEP, FINAL_STATE));
        p.outputSize = positive(meta, "output_size");
        p.inputName = required(meta, "input_name");
        p.outputName = required(meta, "output_name");
        p.stateInputs = stringList(meta, "state_inputs");
        p.stateOutputs = stringList(meta, "state_outputs");
        int expectedStates = "lstm".equals(p.cell) ? 2 : 1;
        if (p.stateInputs.size() != expectedStates || p.stateOutputs.size() != expectedStates) {
            throw new IllegalArgumentException(P + "state_inputs/state_outputs: a " + p.cell + " model has "
                    + expectedStates + " state(s) but the metadata lists " + p.stateInputs + " and " + p.stateOutputs);
        }
        if (p.bidirectional && PER_STEP.equals(p.head)) {
            throw new IllegalArgumentException(P + "head: a bidirectional model needs head=final_state but has per_step");
        }
        readTaskKeys(meta, p);
        return p.build();
    }

    private static String required(Map<String, String> meta, String key) {
        String v = meta.get(P + key);
        if (v == null) {
            throw new IllegalArgumentException(P + key + ": required but missing");
        }
        return v;
    }

    private static String oneOf(Map<String, String> meta, String key, Set<String> allowed) {
        String v = required(meta, key);
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException(P + key + ": expected one of " + new java.util.TreeSet<>(allowed)
                    + " but got '" + v + "'");
        }
        return v;
    }

    private static int integer(Map<String, String> meta, String key) {
        String v = required(meta, key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(P + key + ": expected an integer but got '" + v + "'");
        }
    }

    private static int positive(Map<String, String> meta, String key) {
        int v = integer(meta, key);
        if (v < 1) {
            throw new IllegalArgumentException(P + key + ": expected a positive integer but got " + v);
        }
        return v;
    }

    private static boolean bool(Map<String, String> meta, String key) {
        String v = required(meta, key);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException(P + key + ": expected true or false but got '" + v + "'");
    }

    private static Object json(Map<String, String> meta, String key) {
        try {
            return JsonReader.parse(required(meta, key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(P + key + ": " + e.getMessage(), e);
        }
    }

    private static List<String> stringList(Map<String, String> meta, String key) {
        if (!(json(meta, key) instanceof List<?> list)) {
            throw new IllegalArgumentException(P + key + ": expected a JSON array of strings");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new IllegalArgumentException(P + key + ": entry " + i + " should be a string but is " + list.get(i));
            }
            out.add(s);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, String> meta, String key) {
        if (!(json(meta, key) instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(P + key + ": expected a JSON object");
        }
        return (Map<String, Object>) map;
    }

    private static double number(Object v, String name) {
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(P + name + ": expected a number but got " + v);
        }
        return n.doubleValue();
    }

    private static double[] numbers(Object v, String name) {
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(P + name + ": expected a non-empty JSON array of numbers but got " + v);
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(list.get(i), name + "[" + i + "]");
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelInfo other && metadata.equals(other.metadata) && fingerprint.equals(other.fingerprint)
                && Objects.equals(inputName, other.inputName) && Objects.equals(outputName, other.outputName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metadata, fingerprint);
    }
}
