package io.stepwise.conversion;

import java.util.Arrays;
import java.util.Objects;

/**
 * All weights of a network described by a {@link NetworkSpec}, as float arrays in the PyTorch/DJL layout.
 * Shapes are checked against the spec by {@link #validate(NetworkSpec)}, which also rejects NaN and infinity.
 *
 * <ul>
 *   <li>embedding: [vocabularySize, embeddingSize] (token input only)</li>
 *   <li>layer l, direction d (0 forward, 1 backward): see {@link LayerWeights}</li>
 *   <li>head weight: [outputSize, H·D]; head bias: [outputSize]</li>
 * </ul>
 */
public final class NetworkWeights {
    private final float[] embedding;
    private final LayerWeights[][] layers; // [layer][direction]
    private final float[] headWeight;
    private final float[] headBias;

    private NetworkWeights(Builder b) {
        this.embedding = b.embedding;
        this.layers = b.layers;
        this.headWeight = b.headWeight;
        this.headBias = b.headBias;
    }

    public static Builder builder(NetworkSpec spec) {
        return new Builder(spec);
    }

    /** Embedding table, or {@code null} for feature input. */
    public float[] embedding() {
        return embedding;
    }

    public LayerWeights layer(int layer, int direction) {
        return layers[layer][direction];
    }

    public float[] headWeight() {
        return headWeight;
    }

    public float[] headBias() {
        return headBias;
    }

    /**
     * Checks every array's presence, length and values against {@code spec}.
     *
     * @throws IllegalArgumentException naming the first offending tensor, its expected and actual size, or the
     *                                  index of a NaN or infinite value
     */
    public void validate(NetworkSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (layers.length != spec.layers()) {
            throw new IllegalArgumentException("weights: expected " + spec.layers() + " layers but got " + layers.length);
        }
        if (spec.inputKind() == InputKind.TOKENS) {
            check("embedding", embedding, (long) spec.inputSize() * spec.embeddingSize(),
                    "[" + spec.inputSize() + ", " + spec.embeddingSize() + "]");
        } else if (embedding != null) {
            throw new IllegalArgumentException("embedding: feature input has no embedding, but one was given");
        }
        int rows = spec.cell().gateCount() * spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            if (layers[l].length != spec.directions()) {
                throw new IllegalArgumentException("layer " + l + ": expected " + spec.directions()
                        + " direction(s) but got " + layers[l].length);
            }
            int in = spec.layerInputSize(l);
            for (int d = 0; d < spec.directions(); d++) {
                LayerWeights w = layers[l][d];
                String name = "layer " + l + (d == 0 ? "" : " backward");
                if (w == null) {
                    throw new IllegalArgumentException(name + ": weights missing");
                }
                check(name + " weight_ih", w.inputWeights(), (long) rows * in, "[" + rows + ", " + in + "]");
                check(name + " weight_hh", w.recurrentWeights(), (long) rows * spec.hiddenSize(),
                        "[" + rows + ", " + spec.hiddenSize() + "]");
                check(name + " bias_ih", w.inputBias(), rows, "[" + rows + "]");
                check(name + " bias_hh", w.recurrentBias(), rows, "[" + rows + "]");
            }
        }
        check("head weight", headWeight, (long) spec.outputSize() * spec.headInputSize(),
                "[" + spec.outputSize() + ", " + spec.headInputSize() + "]");
        check("head bias", headBias, spec.outputSize(), "[" + spec.outputSize() + "]");
    }

    private static void check(String name, float[] values, long expected, String shape) {
        if (values == null) {
            throw new IllegalArgumentException(name + ": required, shape " + shape + ", but was not set");
        }
        if (values.length != expected) {
            throw new IllegalArgumentException(name + ": expected " + expected + " values (shape " + shape
                    + ") but got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(name + ": value at index " + i + " is " + values[i]
                        + "; weights must be finite");
            }
        }
    }

    /** Collects weights; arrays are copied so later changes by the caller do not leak in. */
    public static final class Builder {
        private final NetworkSpec spec;
        private float[] embedding;
        private final LayerWeights[][] layers;
        private float[] headWeight;
        private float[] headBias;

        private Builder(NetworkSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            this.layers = new LayerWeights[spec.layers()][spec.directions()];
        }

        public Builder setEmbedding(float[] embedding) {
            this.embedding = copy(embedding);
            return this;
        }

        /** Weights of {@code layer} (0-based), {@code direction} 0 = forward, 1 = backward. */
        public Builder setLayer(int layer, int direction, LayerWeights weights) {
            if (layer < 0 || layer >= spec.layers()) {
                throw new IllegalArgumentException("layer: expected 0.." + (spec.layers() - 1) + " but got " + layer);
            }
            if (direction < 0 || direction >= spec.directions()) {
                throw new IllegalArgumentException(
                        "direction: expected 0.." + (spec.directions() - 1) + " but got " + direction);
            }
            Objects.requireNonNull(weights, "weights");
            layers[layer][direction] = new LayerWeights(copy(weights.inputWeights()),
                    copy(weights.recurrentWeights()), copy(weights.inputBias()), copy(weights.recurrentBias()));
            return this;
        }

        public Builder setHead(float[] weight, float[] bias) {
            this.headWeight = copy(weight);
            this.headBias = copy(bias);
            return this;
        }

        /** Builds and validates against the spec. */
        public NetworkWeights build() {
            NetworkWeights w = new NetworkWeights(this);
            w.validate(spec);
            return w;
        }

        private static float[] copy(float[] a) {
            return a == null ? null : Arrays.copyOf(a, a.length);
        }
    }
}
