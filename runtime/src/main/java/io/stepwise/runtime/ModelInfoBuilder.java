package io.stepwise.runtime;

import io.stepwise.runtime.ModelFormat.Cell;
import io.stepwise.runtime.ModelFormat.Head;
import io.stepwise.runtime.ModelFormat.InputKind;
import io.stepwise.runtime.ModelFormat.Task;
import io.stepwise.runtime.ModelFormat.TokenUnit;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Collects a {@link ModelInfo}: {@link MetadataParser} fills it from a Stepwise file's metadata, {@link GraphBinder}
 * from a signature-bound graph, and the loader adds the weights' digest ({@link ModelInfo#withWeights}).
 * {@link #build()} checks what holds for every model and freezes the values; the checks of single keys stay with
 * the parser, which names the key.
 */
final class ModelInfoBuilder {
    int formatVersion;
    Task task = Task.UNKNOWN;
    Cell cell = Cell.UNKNOWN;
    int layers;
    int hiddenSize;
    boolean bidirectional;
    InputKind inputKind;
    int inputSize;
    int embeddingSize;
    Head head = Head.PER_STEP;
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
    ModelInfo.Scaling scaling;
    Map<String, Object> forecast = Map.of();
    String frequency;
    Map<String, Object> intervals = Map.of();
    Map<String, Object> series = Map.of();
    Map<String, Object> training = Map.of();
    Map<String, Double> metrics = Map.of();
    ModelInfo.Parity parity;
    TokenUnit tokenUnit = TokenUnit.CHARACTER;
    ModelInfo.Baseline baseline;
    Map<String, String> metadata = Map.of();
    /** The SHA-256 of the loaded weights; empty for a description not loaded from a file. */
    String weightsDigest = "";
    boolean weightsVerified;

    /** A builder holding every value of {@code info}, to derive a changed copy. */
    static ModelInfoBuilder from(ModelInfo info) {
        ModelInfoBuilder b = new ModelInfoBuilder();
        b.formatVersion = info.formatVersion();
        b.task = info.task();
        b.cell = info.cell();
        b.layers = info.layers();
        b.hiddenSize = info.hiddenSize();
        b.bidirectional = info.bidirectional();
        b.inputKind = info.inputKind();
        b.inputSize = info.inputSize();
        b.embeddingSize = info.embeddingSize();
        b.head = info.head();
        b.outputSize = info.outputSize();
        b.inputName = info.inputName();
        b.outputName = info.outputName();
        b.stateInputs = info.stateInputs();
        b.stateOutputs = info.stateOutputs();
        b.vocabulary = info.vocabulary();
        b.unknownToken = info.unknownToken();
        b.labels = info.labels();
        b.featureNames = info.featureNames();
        b.targetNames = info.targetNames();
        b.scaling = info.scaling().orElse(null);
        b.forecast = info.forecast();
        b.frequency = info.frequency().orElse(null);
        b.intervals = info.intervals();
        b.series = info.series();
        b.training = info.training();
        b.metrics = info.metrics();
        b.parity = info.parity().orElse(null);
        b.tokenUnit = info.tokenUnit();
        b.baseline = info.baseline().orElse(null);
        b.metadata = info.metadata();
        b.weightsDigest = info.weightsDigest();
        b.weightsVerified = info.weightsVerified();
        return b;
    }

    /**
     * @throws IllegalArgumentException when sizes are not positive or the vocabulary or unknown token do not fit
     *                                  the input size
     */
    ModelInfo build() {
        if (layers < 1 || hiddenSize < 1 || outputSize < 1) {
            throw new IllegalArgumentException("layers, hidden size and output size must be positive but are "
                    + layers + ", " + hiddenSize + ", " + outputSize);
        }
        if (!vocabulary.isEmpty() && inputSize > 0 && vocabulary.size() != inputSize) {
            throw new IllegalArgumentException(ModelFormat.VOCABULARY + ": the model embeds " + inputSize
                    + " tokens but the vocabulary has " + vocabulary.size());
        }
        if (unknownToken.isPresent() && inputSize > 0 && inputKind == InputKind.TOKENS
                && unknownToken.getAsInt() >= inputSize) {
            throw new IllegalArgumentException(ModelFormat.UNKNOWN_TOKEN + ": " + unknownToken.getAsInt()
                    + " is outside the vocabulary [0, " + inputSize + ")");
        }
        return new ModelInfo(this);
    }
}
