package io.stepwise.runtime;

import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Bounds a model file must keep before ONNX Runtime reads it: sizes of tensors, graphs, metadata and strings, and,
 * for models bound by a {@link ModelSignature} (not written by Stepwise), the operators they may use. Immutable;
 * the defaults fit every model Stepwise writes with a wide margin and any reasonable recurrent model from another
 * tool. A caller who trusts a larger or more exotic model widens them explicitly:
 *
 * <pre>{@code
 * ModelLimits limits = ModelLimits.defaults().toBuilder()
 *         .optMaxTensorBytes(4L << 30)          // a 4 GiB embedding table
 *         .optAllowOperators("Expand")          // a graph that broadcasts its initial state
 *         .build();
 * }</pre>
 *
 * <p>Why these limits exist: ONNX Runtime trusts the file. A tensor whose data is shorter than its shape crashes
 * the JVM in session creation; a {@code ConstantOfShape} of 2^31 floats or a {@code Loop} of 2^62 iterations in a
 * 22 KB file allocates gigabytes or never returns; 20,000 metadata entries take 26 s to read (the reader is
 * quadratic). See {@link Builder} for each limit, its default and its range.
 */
public final class ModelLimits {
    /**
     * Operators a model bound by a signature may use by default: the recurrent cells, the linear algebra, shape
     * plumbing, activations and reductions that recurrent models exported by PyTorch, Keras (tf2onnx) and similar
     * tools contain. Every one of them produces an output no larger than a fixed function of its inputs' sizes.
     * Left out on purpose: control flow with subgraphs ({@code Loop}, {@code Scan}, {@code If}: unbounded or
     * data-dependent work), operators whose output size comes from a value rather than an input's size
     * ({@code ConstantOfShape}, {@code Expand}, {@code Tile}, {@code Range}, {@code Pad}, {@code Resize},
     * {@code Upsample}, {@code OneHot}, the random generators), sequence and string operators, and every
     * operator outside the default ONNX domain (vendor kernels such as {@code com.microsoft}). Entries are the
     * ONNX {@code op_type}; an operator of another domain is written {@code domain:OpType}.
     */
    public static final Set<String> DEFAULT_ALLOWED_OPERATORS = Collections.unmodifiableSet(new TreeSet<>(Arrays.asList(
            // recurrent cells
            "RNN", "LSTM", "GRU",
            // linear algebra and element-wise arithmetic
            "MatMul", "Gemm", "Add", "Sub", "Mul", "Div", "Neg", "Abs", "Sqrt", "Reciprocal", "Pow", "Exp", "Log",
            "Erf", "Sum", "Mean", "Max", "Min", "Clip", "Floor", "Ceil", "Round", "Sign",
            // activations and normalisation
            "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Gelu", "Sigmoid", "HardSigmoid", "HardSwish",
            "Tanh", "Softplus", "Softsign", "Softmax", "LogSoftmax", "LayerNormalization", "BatchNormalization",
            "Dropout",
            // shape plumbing and selection
            "Identity", "Constant", "Cast", "CastLike", "Shape", "Size", "Reshape", "Flatten", "Transpose",
            "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "GatherElements", "Where",
            // comparisons, logic and reductions
            "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "ArgMax", "ArgMin",
            "ReduceMax", "ReduceMin", "ReduceMean", "ReduceSum", "ReduceLogSumExp")));

    private static final ModelLimits DEFAULTS = builder().build();

    private final long maxModelBytes;
    private final long maxTensorElements;
    private final long maxTensorBytes;
    private final long maxTotalTensorBytes;
    private final int maxRank;
    private final int maxNodes;
    private final int maxGraphDepth;
    private final int maxMetadataEntries;
    private final long maxMetadataBytes;
    private final int maxNameBytes;
    private final int maxStringBytes;
    private final long maxLoopIterations;
    private final boolean finiteWeights;
    private final Set<String> allowedOperators;

    private ModelLimits(Builder b) {
        this.maxModelBytes = b.maxModelBytes;
        this.maxTensorElements = b.maxTensorElements;
        this.maxTensorBytes = b.maxTensorBytes;
        this.maxTotalTensorBytes = b.maxTotalTensorBytes;
        this.maxRank = b.maxRank;
        this.maxNodes = b.maxNodes;
        this.maxGraphDepth = b.maxGraphDepth;
        this.maxMetadataEntries = b.maxMetadataEntries;
        this.maxMetadataBytes = b.maxMetadataBytes;
        this.maxNameBytes = b.maxNameBytes;
        this.maxStringBytes = b.maxStringBytes;
        this.maxLoopIterations = b.maxLoopIterations;
        this.finiteWeights = b.finiteWeights;
        this.allowedOperators = Collections.unmodifiableSet(new TreeSet<>(b.allowedOperators));
    }

    /** The default limits (see {@link Builder} for each value). */
    public static ModelLimits defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these limits, to widen or narrow some of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxModelBytes = maxModelBytes;
        b.maxTensorElements = maxTensorElements;
        b.maxTensorBytes = maxTensorBytes;
        b.maxTotalTensorBytes = maxTotalTensorBytes;
        b.maxRank = maxRank;
        b.maxNodes = maxNodes;
        b.maxGraphDepth = maxGraphDepth;
        b.maxMetadataEntries = maxMetadataEntries;
        b.maxMetadataBytes = maxMetadataBytes;
        b.maxNameBytes = maxNameBytes;
        b.maxStringBytes = maxStringBytes;
        b.maxLoopIterations = maxLoopIterations;
        b.finiteWeights = finiteWeights;
        b.allowedOperators = new TreeSet<>(allowedOperators);
        return b;
    }

    /** Largest model file, in bytes (default 1 GiB); see {@link Builder#optMaxModelBytes}. */
    public long maxModelBytes() {
        return maxModelBytes;
    }

    /** Most elements in one tensor (default 2^28); see {@link Builder#optMaxTensorElements}. */
    public long maxTensorElements() {
        return maxTensorElements;
    }

    /** Most bytes in one tensor (default 1 GiB); see {@link Builder#optMaxTensorBytes}. */
    public long maxTensorBytes() {
        return maxTensorBytes;
    }

    /** Most bytes in all tensors together (default 2 GiB); see {@link Builder#optMaxTotalTensorBytes}. */
    public long maxTotalTensorBytes() {
        return maxTotalTensorBytes;
    }

    /** Most dimensions of one tensor (default 8); see {@link Builder#optMaxRank}. */
    public int maxRank() {
        return maxRank;
    }

    /** Most nodes, subgraphs and functions counted (default 10,000); see {@link Builder#optMaxNodes}. */
    public int maxNodes() {
        return maxNodes;
    }

    /** Deepest nesting of subgraphs (default 4); see {@link Builder#optMaxGraphDepth}. */
    public int maxGraphDepth() {
        return maxGraphDepth;
    }

    /** Most metadata entries (default 1,000); see {@link Builder#optMaxMetadataEntries}. */
    public int maxMetadataEntries() {
        return maxMetadataEntries;
    }

    /** Most bytes of metadata keys and values (default 16 MiB); see {@link Builder#optMaxMetadataBytes}. */
    public long maxMetadataBytes() {
        return maxMetadataBytes;
    }

    /** Longest name, in UTF-8 bytes (default 4,096); see {@link Builder#optMaxNameBytes}. */
    public int maxNameBytes() {
        return maxNameBytes;
    }

    /** Longest other string, in bytes (default 16 MiB); see {@link Builder#optMaxStringBytes}. */
    public int maxStringBytes() {
        return maxStringBytes;
    }

    /** Largest constant {@code Loop} trip count (default 100,000); see {@link Builder#optMaxLoopIterations}. */
    public long maxLoopIterations() {
        return maxLoopIterations;
    }

    /** Whether float initializers and constants must be finite (default true); see {@link Builder#optFiniteWeights}. */
    public boolean finiteWeights() {
        return finiteWeights;
    }

    /** Operators a signature-bound model may use ({@code OpType}, or {@code domain:OpType} outside ONNX's). */
    public Set<String> allowedOperators() {
        return allowedOperators;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelLimits m && maxModelBytes == m.maxModelBytes && maxTensorElements == m.maxTensorElements
                && maxTensorBytes == m.maxTensorBytes && maxTotalTensorBytes == m.maxTotalTensorBytes
                && maxRank == m.maxRank && maxNodes == m.maxNodes && maxGraphDepth == m.maxGraphDepth
                && maxMetadataEntries == m.maxMetadataEntries && maxMetadataBytes == m.maxMetadataBytes
                && maxNameBytes == m.maxNameBytes && maxStringBytes == m.maxStringBytes
                && maxLoopIterations == m.maxLoopIterations && finiteWeights == m.finiteWeights
                && allowedOperators.equals(m.allowedOperators);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxModelBytes, maxTensorElements, maxTensorBytes, maxTotalTensorBytes, maxRank, maxNodes,
                maxGraphDepth, maxMetadataEntries, maxMetadataBytes, maxNameBytes, maxStringBytes, maxLoopIterations,
                finiteWeights, allowedOperators);
    }

    @Override
    public String toString() {
        return "ModelLimits[maxModelBytes=" + maxModelBytes + ", maxTensorElements=" + maxTensorElements
                + ", maxTensorBytes=" + maxTensorBytes + ", maxTotalTensorBytes=" + maxTotalTensorBytes
                + ", maxRank=" + maxRank + ", maxNodes=" + maxNodes + ", maxGraphDepth=" + maxGraphDepth
                + ", maxMetadataEntries=" + maxMetadataEntries + ", maxMetadataBytes=" + maxMetadataBytes
                + ", maxNameBytes=" + maxNameBytes + ", maxStringBytes=" + maxStringBytes
                + ", maxLoopIterations=" + maxLoopIterations + ", finiteWeights=" + finiteWeights
                + ", allowedOperators=" + allowedOperators.size() + " operators]";
    }

    /** Builder; every limit is optional and checked in {@link #build()}. */
    public static final class Builder {
        private long maxModelBytes = 1L << 30;
        private long maxTensorElements = 1L << 28;
        private long maxTensorBytes = 1L << 30;
        private long maxTotalTensorBytes = 2L << 30;
        private int maxRank = 8;
        private int maxNodes = 10_000;
        private int maxGraphDepth = 4;
        private int maxMetadataEntries = 1_000;
        private long maxMetadataBytes = 16L << 20;
        private int maxNameBytes = 4_096;
        private int maxStringBytes = 16 << 20;
        private long maxLoopIterations = 100_000;
        private boolean finiteWeights = true;
        private Set<String> allowedOperators = new TreeSet<>(DEFAULT_ALLOWED_OPERATORS);

        private Builder() {
        }

        /** Largest model file, in bytes: default 1 GiB; 1 .. {@link Integer#MAX_VALUE} (2 GiB, protobuf's own limit). */
        public Builder optMaxModelBytes(long bytes) {
            this.maxModelBytes = bytes;
            return this;
        }

        /**
         * Most elements in one tensor: default 2^28 (268,435,456: 1 GiB of floats); ≥ 1. It bounds initializers
         * and constants, the dense size of sparse tensors, and the size a constant shape or count asks of
         * {@code ConstantOfShape}, {@code Expand}, {@code Tile}, {@code Reshape}, {@code Range} and
         * {@code OneHot} when those are allowed.
         */
        public Builder optMaxTensorElements(long elements) {
            this.maxTensorElements = elements;
            return this;
        }

        /** Most bytes in one tensor: default 1 GiB; ≥ 1. */
        public Builder optMaxTensorBytes(long bytes) {
            this.maxTensorBytes = bytes;
            return this;
        }

        /** Most bytes in all tensors of the model together, external data included: default 2 GiB; ≥ 1. */
        public Builder optMaxTotalTensorBytes(long bytes) {
            this.maxTotalTensorBytes = bytes;
            return this;
        }

        /** Most dimensions of one tensor or declared value: default 8; 1..64. */
        public Builder optMaxRank(int rank) {
            this.maxRank = rank;
            return this;
        }

        /** Most nodes in the model, counting subgraphs and functions: default 10,000; ≥ 1. */
        public Builder optMaxNodes(int nodes) {
            this.maxNodes = nodes;
            return this;
        }

        /** Deepest nesting of subgraphs (the main graph is depth 0): default 4; 0..32. */
        public Builder optMaxGraphDepth(int depth) {
            this.maxGraphDepth = depth;
            return this;
        }

        /**
         * Most metadata entries: default 1,000 (a Stepwise model has about 25); 0..1,000,000. ONNX Runtime reads
         * metadata in quadratic time: 20,000 entries take 26 s, 1,000 about 65 ms.
         */
        public Builder optMaxMetadataEntries(int entries) {
            this.maxMetadataEntries = entries;
            return this;
        }

        /** Most bytes of metadata keys and values together: default 16 MiB; ≥ 0. */
        public Builder optMaxMetadataBytes(long bytes) {
            this.maxMetadataBytes = bytes;
            return this;
        }

        /** Longest name (value, node, operator, domain, attribute, metadata key, dimension), in UTF-8 bytes: default 4,096; ≥ 1. */
        public Builder optMaxNameBytes(int bytes) {
            this.maxNameBytes = bytes;
            return this;
        }

        /** Longest other string (doc string, metadata value, string attribute or tensor element): default 16 MiB; ≥ 1. */
        public Builder optMaxStringBytes(int bytes) {
            this.maxStringBytes = bytes;
            return this;
        }

        /**
         * Largest constant trip count of a {@code Loop} (only reachable once {@code Loop} is allowed): default
         * 100,000; ≥ 1. A {@code Loop} without a constant trip count is refused: its run could not be bounded.
         */
        public Builder optMaxLoopIterations(long iterations) {
            this.maxLoopIterations = iterations;
            return this;
        }

        /**
         * Whether floating-point initializers and constants must be finite (no NaN or infinity): default true.
         * Stepwise files are always checked (the exporter never writes a non-finite weight); turn this off only
         * for a signature-bound model that relies on, say, a {@code -inf} mask constant.
         */
        public Builder optFiniteWeights(boolean finite) {
            this.finiteWeights = finite;
            return this;
        }

        /** Replaces the operators a signature-bound model may use (default {@link #DEFAULT_ALLOWED_OPERATORS}). */
        public Builder optAllowedOperators(Collection<String> operators) {
            Objects.requireNonNull(operators, "operators");
            this.allowedOperators = new TreeSet<>();
            return optAllowOperators(operators.toArray(new String[0]));
        }

        /** Adds operators a signature-bound model may use, e.g. {@code "Expand"} or {@code "com.microsoft:Gelu"}. */
        public Builder optAllowOperators(String... operators) {
            Objects.requireNonNull(operators, "operators");
            for (String op : operators) {
                if (op == null || op.isBlank() || op.indexOf(':') != op.lastIndexOf(':') || op.endsWith(":")
                        || op.startsWith(":")) {
                    throw new IllegalArgumentException("operators: expected 'OpType' or 'domain:OpType' but got '"
                            + op + "'");
                }
                allowedOperators.add(op);
            }
            return this;
        }

        /**
         * The limits.
         *
         * @throws IllegalArgumentException naming the first limit outside its range (see each setter)
         */
        public ModelLimits build() {
            range("maxModelBytes", maxModelBytes, 1, Integer.MAX_VALUE);
            range("maxTensorElements", maxTensorElements, 1, Long.MAX_VALUE);
            range("maxTensorBytes", maxTensorBytes, 1, Long.MAX_VALUE);
            range("maxTotalTensorBytes", maxTotalTensorBytes, 1, Long.MAX_VALUE);
            range("maxRank", maxRank, 1, 64);
            range("maxNodes", maxNodes, 1, Integer.MAX_VALUE);
            range("maxGraphDepth", maxGraphDepth, 0, 32);
            range("maxMetadataEntries", maxMetadataEntries, 0, 1_000_000);
            range("maxMetadataBytes", maxMetadataBytes, 0, Long.MAX_VALUE);
            range("maxNameBytes", maxNameBytes, 1, Integer.MAX_VALUE);
            range("maxStringBytes", maxStringBytes, 1, Integer.MAX_VALUE);
            range("maxLoopIterations", maxLoopIterations, 1, Long.MAX_VALUE);
            return new ModelLimits(this);
        }

        private static void range(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": expected " + min + ".." + max + " but got " + value);
            }
        }
    }
}
