package io.stepwise.runtime;

import io.stepwise.runtime.ModelFormat.Cell;
import io.stepwise.runtime.ModelFormat.Head;
import io.stepwise.runtime.ModelFormat.InputKind;
import io.stepwise.runtime.ModelFormat.Task;
import io.stepwise.runtime.ModelFormat.TokenUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a loaded model is: its architecture (from the Stepwise metadata, or from the graph for models bound with a
 * {@link ModelSignature}), its task-level description and the raw metadata. A value: immutable, every collection
 * unmodifiable, arrays copied on the way out, {@code equals}/{@code hashCode} over the whole content. Keys and
 * value formats: docs/model-format.md and {@link ModelFormat}.
 *
 * <p>{@link #toString()} is the multi-line description the CLI's {@code inspect} prints
 * ({@link ModelInfoRenderer#render(ModelInfo)}). Built by {@code ModelInfoBuilder} (from the metadata by
 * {@code MetadataParser}, from the graph by {@code GraphBinder}); the fingerprints are {@code ModelFingerprint}'s.
 */
public final class ModelInfo {

    /**
     * Per-feature standardisation: model value = (x − mean) / std. Arrays are copied on the way in and out;
     * equality compares their contents.
     *
     * @param mean one value per feature
     * @param std  one value per feature, each > 0
     */
    public record Scaling(double[] mean, double[] std) {
        /** Copies both arrays. */
        public Scaling {
            mean = mean.clone();
            std = std.clone();
        }

        /** A copy of the means. */
        @Override
        public double[] mean() {
            return mean.clone();
        }

        /** A copy of the standard deviations. */
        @Override
        public double[] std() {
            return std.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Scaling s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
        }

        @Override
        public String toString() {
            return "mean=" + Arrays.toString(mean) + " std=" + Arrays.toString(std);
        }
    }

    /**
     * The parity figure measured at export.
     *
     * @param maxAbsDiff largest absolute difference between the trained network and the ONNX graph
     * @param tolerance  the tolerance it was checked against
     * @param cases      number of cases compared
     */
    public record Parity(double maxAbsDiff, double tolerance, int cases) {
    }

    /**
     * The verdict on the model against its baseline, as recorded at training time ({@value ModelFormat#KEY_PREFIX}
     * baseline).
     *
     * @param metric        the metric compared, e.g. {@code test_accuracy}
     * @param value         the model's value (NaN when not recorded)
     * @param baseline      the baseline, e.g. {@code naive Bayes}
     * @param baselineValue the baseline's value (NaN when not recorded)
     * @param outcome       {@code beats}, {@code ties}, {@code loses} or {@code unknown}
     * @param verdict       the verdict as one sentence
     */
    public record Baseline(String metric, double value, String baseline, double baselineValue, String outcome,
                           String verdict) {
        /** Whether the model beats its baseline (a tie does not). */
        public boolean beatsBaseline() {
            return outcome.equals("beats");
        }
    }

    private final int formatVersion;
    private final Task task;
    private final Cell cell;
    private final int layers;
    private final int hiddenSize;
    private final boolean bidirectional;
    private final InputKind inputKind;
    private final int inputSize;
    private final int embeddingSize;
    private final Head head;
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
    private final String frequency;
    private final Map<String, Object> intervals;
    private final Map<String, Object> series;
    private final Map<String, Object> training;
    private final Map<String, Double> metrics;
    private final Parity parity;
    private final TokenUnit tokenUnit;
    private final Baseline baseline;
    private final Map<String, String> metadata;
    private final String weightsDigest;
    private final boolean weightsVerified;
    private final String architectureFingerprint;
    private final String fingerprint;

    /** Used by {@link ModelInfoBuilder#build()}, which has checked the values. */
    ModelInfo(ModelInfoBuilder b) {
        this.formatVersion = b.formatVersion;
        this.task = Objects.requireNonNull(b.task, "task");
        this.cell = Objects.requireNonNull(b.cell, "cell");
        this.layers = b.layers;
        this.hiddenSize = b.hiddenSize;
        this.bidirectional = b.bidirectional;
        this.inputKind = Objects.requireNonNull(b.inputKind, "inputKind");
        this.inputSize = b.inputSize;
        this.embeddingSize = b.embeddingSize;
        this.head = Objects.requireNonNull(b.head, "head");
        this.outputSize = b.outputSize;
        this.inputName = Objects.requireNonNull(b.inputName, "inputName");
        this.outputName = Objects.requireNonNull(b.outputName, "outputName");
        this.stateInputs = List.copyOf(b.stateInputs);
        this.stateOutputs = List.copyOf(b.stateOutputs);
        this.vocabulary = List.copyOf(b.vocabulary);
        this.unknownToken = b.unknownToken;
        this.labels = List.copyOf(b.labels);
        this.featureNames = List.copyOf(b.featureNames);
        this.targetNames = List.copyOf(b.targetNames);
        this.scaling = b.scaling;
        this.forecast = frozen(b.forecast);
        this.frequency = b.frequency;
        this.intervals = frozen(b.intervals);
        this.series = frozen(b.series);
        this.training = frozen(b.training);
        this.metrics = frozen(b.metrics);
        this.parity = b.parity;
        this.tokenUnit = b.tokenUnit;
        this.baseline = b.baseline;
        this.metadata = frozen(b.metadata);
        this.weightsDigest = Objects.requireNonNull(b.weightsDigest, "weightsDigest");
        this.weightsVerified = b.weightsVerified;
        this.architectureFingerprint = ModelFingerprint.architecture(cell, layers, hiddenSize, bidirectional,
                inputKind, inputSize, head, outputSize, stateInputs.size(), vocabulary);
        this.fingerprint = ModelFingerprint.of(architectureFingerprint, weightsDigest);
    }

    /** This description with the digest of the weights it was loaded with; used by the loader. */
    ModelInfo withWeights(String digest, boolean verified) {
        ModelInfoBuilder b = ModelInfoBuilder.from(this);
        b.weightsDigest = digest;
        b.weightsVerified = verified;
        return b.build();
    }

    /** An unmodifiable copy that keeps the key order (JSON values from {@code JsonReader} are unmodifiable). */
    private static <V> Map<String, V> frozen(Map<String, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** The Stepwise format version of the file, or 0 for a model bound with a {@link ModelSignature}. */
    public int formatVersion() {
        return formatVersion;
    }

    /** What the model is for; {@link Task#UNKNOWN} when a signature-bound file does not say. */
    public Task task() {
        return task;
    }

    /** The cell; signature-bound models may also report {@link Cell#RNN} or {@link Cell#UNKNOWN}. */
    public Cell cell() {
        return cell;
    }

    /** Number of stacked recurrent layers L (≥ 1). */
    public int layers() {
        return layers;
    }

    /** Hidden size H (≥ 1). */
    public int hiddenSize() {
        return hiddenSize;
    }

    /** Whether every layer runs in both directions; such a model cannot be stepped (see {@link Session}). */
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

    /** Token ids or feature vectors. */
    public InputKind inputKind() {
        return inputKind;
    }

    /** Whether the model reads token ids ({@link InputKind#TOKENS}). */
    public boolean isTokenInput() {
        return inputKind == InputKind.TOKENS;
    }

    /** Vocabulary size (tokens; 0 when a signature-bound model does not say) or feature count F. */
    public int inputSize() {
        return inputSize;
    }

    /** Embedding width for token input (0 for features, or when unknown). */
    public int embeddingSize() {
        return embeddingSize;
    }

    /** Where the output head reads from. */
    public Head head() {
        return head;
    }

    /** Whether the head produces one output row per step ({@link Head#PER_STEP}). */
    public boolean isPerStep() {
        return head == Head.PER_STEP;
    }

    /** Width O of the head's output (≥ 1). */
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

    /** Per-feature standardisation, when the file has some. */
    public Optional<Scaling> scaling() {
        return Optional.ofNullable(scaling);
    }

    /** Forecaster settings such as window, horizon, season (numbers are Long or Double); else empty. */
    public Map<String, Object> forecast() {
        return forecast;
    }

    /**
     * How far apart a forecaster's rows are ({@link ModelFormat#FREQUENCY}): {@code daily}, {@code weekly},
     * {@code monthly}, {@code quarterly} or {@code yearly}; see {@code io.stepwise.runtime.forecast.Frequency}.
     */
    public Optional<String> frequency() {
        return Optional.ofNullable(frequency);
    }

    /**
     * A forecaster's prediction intervals as stored ({@link ModelFormat#INTERVALS}); else empty. The runtime's
     * {@code Forecaster} turns them into bounds.
     */
    public Map<String, Object> intervals() {
        return intervals;
    }

    /**
     * A global forecaster's series as stored ({@link ModelFormat#SERIES}: id column, keys, per-series scaling); else
     * empty. The runtime's {@code Forecaster} reads it.
     */
    public Map<String, Object> series() {
        return series;
    }

    /** Training provenance (command, data, seed, epochs, versions, date); else empty. */
    public Map<String, Object> training() {
        return training;
    }

    /** Measured metrics, name → value; else empty. */
    public Map<String, Double> metrics() {
        return metrics;
    }

    /** The parity figure measured at export, when recorded. */
    public Optional<Parity> parity() {
        return Optional.ofNullable(parity);
    }

    /** What a token id stands for: {@link TokenUnit#CHARACTER} unless the file says {@link TokenUnit#EVENT}. */
    public TokenUnit tokenUnit() {
        return tokenUnit;
    }

    /** The verdict against the model's baseline recorded at training time, when recorded. */
    public Optional<Baseline> baseline() {
        return Optional.ofNullable(baseline);
    }

    /** Every metadata property of the file, as stored, in file order. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * A free-form metadata value that holds a JSON object (e.g. a tool's own {@code stepwise.*} key), parsed:
     * objects become unmodifiable ordered maps, arrays unmodifiable lists, numbers Long when integral else Double.
     *
     * @param key the full key, e.g. {@code "stepwise.evaluation"}
     * @return empty when the file has no such key
     * @throws IllegalArgumentException naming the key when its value is not a JSON object
     */
    public Optional<Map<String, Object>> metadataObject(String key) {
        Objects.requireNonNull(key, "key");
        String value = metadata.get(key);
        return value == null ? Optional.empty() : Optional.of(MetadataParser.object(key, value));
    }

    /**
     * A 16-hex-digit hash that identifies this model: its {@link #architectureFingerprint()} and the digest of its
     * weights ({@link #weightsDigest()}). Two files of the same architecture with other weights — another training
     * run, a fine-tuned copy, a corrupted file — have different fingerprints, so a {@link SessionState} of one is
     * refused by the other (see {@link SessionState#adoptedBy} to accept one on purpose). Equal to the architecture
     * fingerprint for a description that was not loaded from a file (no weights digest).
     */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * A 16-hex-digit hash of what makes states shape-compatible: cell, layers, hidden size, directions, input kind
     * and size, head and output size, vocabulary. It identifies an architecture, not a set of weights.
     */
    public String architectureFingerprint() {
        return architectureFingerprint;
    }

    /**
     * The SHA-256 (hex) of the model's weights as loaded — every initializer of the main graph, computed by the
     * runtime before ONNX Runtime read the file (docs/model-format.md, "Weights checksum"); empty for a description
     * not loaded from a file.
     */
    public String weightsDigest() {
        return weightsDigest;
    }

    /**
     * Whether the weights were checked against the checksum the exporter recorded
     * ({@value ModelFormat#WEIGHTS_SHA256}) and matched. False for files written before the checksum existed (the
     * committed format-1 models among them), which load unverified unless
     * {@link RuntimeOptions.Builder#optRequireWeightsChecksum} asks for it; a file whose checksum does not match is
     * never loaded.
     */
    public boolean weightsVerified() {
        return weightsVerified;
    }

    /** The readable multi-line description of {@link ModelInfoRenderer#render(ModelInfo)}. */
    @Override
    public String toString() {
        return ModelInfoRenderer.render(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelInfo i && formatVersion == i.formatVersion && task == i.task && cell == i.cell
                && layers == i.layers && hiddenSize == i.hiddenSize && bidirectional == i.bidirectional
                && inputKind == i.inputKind && inputSize == i.inputSize && embeddingSize == i.embeddingSize
                && head == i.head && outputSize == i.outputSize && inputName.equals(i.inputName)
                && outputName.equals(i.outputName) && stateInputs.equals(i.stateInputs)
                && stateOutputs.equals(i.stateOutputs) && vocabulary.equals(i.vocabulary)
                && unknownToken.equals(i.unknownToken) && labels.equals(i.labels)
                && featureNames.equals(i.featureNames) && targetNames.equals(i.targetNames)
                && Objects.equals(scaling, i.scaling) && forecast.equals(i.forecast)
                && Objects.equals(frequency, i.frequency) && intervals.equals(i.intervals)
                && series.equals(i.series) && training.equals(i.training)
                && metrics.equals(i.metrics) && Objects.equals(parity, i.parity) && metadata.equals(i.metadata)
                && weightsDigest.equals(i.weightsDigest) && weightsVerified == i.weightsVerified;
    }

    @Override
    public int hashCode() {
        return Objects.hash(formatVersion, task, cell, layers, hiddenSize, bidirectional, inputKind, inputSize,
                embeddingSize, head, outputSize, inputName, outputName, stateInputs, stateOutputs, vocabulary,
                unknownToken, labels, featureNames, targetNames, scaling, forecast, frequency, intervals, series, training,
                metrics, parity, metadata, weightsDigest, weightsVerified);
    }
}
