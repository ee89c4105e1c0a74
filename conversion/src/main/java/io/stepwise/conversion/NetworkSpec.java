package io.stepwise.conversion;

/**
 * A framework-neutral description of a recurrent network: input (token embedding or dense features) → a stack
 * of recurrent layers → a linear head.
 *
 * <p>Build one with {@link #builder()}: {@code set*} for required settings, {@code opt*} for optional ones,
 * all validated in {@link Builder#build()}.
 *
 * @param cell          recurrent cell of every layer
 * @param layers        number of stacked layers (≥ 1)
 * @param hiddenSize    hidden size H of every layer and direction (≥ 1)
 * @param bidirectional whether each layer also runs backwards (only with {@link HeadKind#FINAL_STATE})
 * @param inputKind     tokens (embedding) or features
 * @param inputSize     vocabulary size for tokens, feature count for features (≥ 1)
 * @param embeddingSize embedding width for tokens (≥ 1); 0 for features
 * @param head          where the linear head reads
 * @param outputSize    width O of the head's output (≥ 1)
 */
public record NetworkSpec(
        CellKind cell,
        int layers,
        int hiddenSize,
        boolean bidirectional,
        InputKind inputKind,
        int inputSize,
        int embeddingSize,
        HeadKind head,
        int outputSize) {

    public NetworkSpec {
        requireNonNull(cell, "cell");
        requireNonNull(inputKind, "inputKind");
        requireNonNull(head, "head");
        requirePositive(layers, "layers");
        requirePositive(hiddenSize, "hiddenSize");
        requirePositive(inputSize, "inputSize");
        requirePositive(outputSize, "outputSize");
        if (inputKind == InputKind.TOKENS) {
            requirePositive(embeddingSize, "embeddingSize");
        } else if (embeddingSize != 0) {
            throw new IllegalArgumentException(
                    "embeddingSize: expected 0 for feature input but got " + embeddingSize);
        }
        if (bidirectional && head == HeadKind.PER_STEP) {
            throw new IllegalArgumentException("bidirectional: a bidirectional network cannot be stepped one token"
                    + " at a time, so it needs head=final_state (a classifier), but head was " + head.id());
        }
    }

    /** Number of directions D: 2 when bidirectional, else 1. */
    public int directions() {
        return bidirectional ? 2 : 1;
    }

    /** Rows of a state tensor: layers × directions. */
    public int stateRows() {
        return layers * directions();
    }

    /** Width of the input that the first recurrent layer sees: embedding size or feature count. */
    public int firstLayerInputSize() {
        return inputKind == InputKind.TOKENS ? embeddingSize : inputSize;
    }

    /** Width of the input that layer {@code layer} (0-based) sees. */
    public int layerInputSize(int layer) {
        return layer == 0 ? firstLayerInputSize() : hiddenSize * directions();
    }

    /** Width of the vector the head reads: H × D. */
    public int headInputSize() {
        return hiddenSize * directions();
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void requireNonNull(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": required but was not set");
        }
    }

    private static void requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": expected a positive number but got " + value);
        }
    }

    /** Builder for {@link NetworkSpec}; defaults: 1 layer, unidirectional, per-step head. */
    public static final class Builder {
        private CellKind cell;
        private int layers = 1;
        private int hiddenSize;
        private boolean bidirectional;
        private InputKind inputKind;
        private int inputSize;
        private int embeddingSize;
        private HeadKind head = HeadKind.PER_STEP;
        private int outputSize;

        private Builder() {
        }

        public Builder setCell(CellKind cell) {
            this.cell = cell;
            return this;
        }

        public Builder setHiddenSize(int hiddenSize) {
            this.hiddenSize = hiddenSize;
            return this;
        }

        /** Token input: {@code vocabularySize} ids embedded into {@code embeddingSize} floats. */
        public Builder setTokenInput(int vocabularySize, int embeddingSize) {
            this.inputKind = InputKind.TOKENS;
            this.inputSize = vocabularySize;
            this.embeddingSize = embeddingSize;
            return this;
        }

        /** Dense input of {@code featureCount} floats per step. */
        public Builder setFeatureInput(int featureCount) {
            this.inputKind = InputKind.FEATURES;
            this.inputSize = featureCount;
            this.embeddingSize = 0;
            return this;
        }

        public Builder setOutputSize(int outputSize) {
            this.outputSize = outputSize;
            return this;
        }

        public Builder optLayers(int layers) {
            this.layers = layers;
            return this;
        }

        public Builder optBidirectional(boolean bidirectional) {
            this.bidirectional = bidirectional;
            return this;
        }

        public Builder optHead(HeadKind head) {
            this.head = head;
            return this;
        }

        public NetworkSpec build() {
            if (hiddenSize == 0) {
                throw new IllegalArgumentException("hiddenSize: required but was not set");
            }
            if (inputKind == null) {
                throw new IllegalArgumentException("input: required; call setTokenInput or setFeatureInput");
            }
            if (outputSize == 0) {
                throw new IllegalArgumentException("outputSize: required but was not set");
            }
            return new NetworkSpec(cell, layers, hiddenSize, bidirectional, inputKind, inputSize, embeddingSize,
                    head, outputSize);
        }
    }
}
