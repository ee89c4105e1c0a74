package io.stepwise.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.recurrent.RNN;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.InputKind;
import io.stepwise.conversion.NetworkSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A DJL {@link ai.djl.nn.Block} for the network a {@link NetworkSpec} describes: token embedding or dense
 * features → a stack of recurrent layers (batch-first, optionally bidirectional) → a linear head on every step
 * ({@link HeadKind#PER_STEP}) or on the top layer's final states, directions concatenated forward ‖ backward
 * ({@link HeadKind#FINAL_STATE}).
 *
 * <h2>Inputs and outputs</h2>
 * {@code forward(store, new NDList(x[, h0[, c0]]), training)} where {@code x} is int64 {@code [batch, sequence]}
 * token ids or float {@code [batch, sequence, F]} features, and the optional initial states are float
 * {@code [L·D, batch, H]} (rows layer-major, direction-minor, as PyTorch's {@code h_n}); missing states are zeros.
 * It returns {@code NDList(output, hn[, cn])}: output {@code [batch, sequence, O]} (per step) or
 * {@code [batch, O]} (final state), and the states after the last step, same layout as {@code h0}. Feeding
 * {@code hn}/{@code cn} back (after {@link #detach(NDList)} when training with truncated back-propagation through
 * time) continues the sequence.
 *
 * <h2>Cells</h2>
 * Each layer runs PyTorch's native kernels ({@code torch::rnn_tanh}, {@code rnn_relu}, {@code lstm}, {@code gru},
 * reached through DJL's {@link NDArrayEx}), with PyTorch's gate order. With {@code W} = {@code weight_ih},
 * {@code R} = {@code weight_hh}, {@code b_W} = {@code bias_ih}, {@code b_R} = {@code bias_hh}, σ the logistic
 * function and ⊙ the element-wise product:
 * <pre>
 * rnn_tanh: h' = tanh(W x + b_W + R h + b_R)
 * rnn_relu: h' = relu(W x + b_W + R h + b_R)
 * lstm (blocks i, f, g, o):
 *     i = σ(W_i x + b_Wi + R_i h + b_Ri)      f = σ(W_f x + b_Wf + R_f h + b_Rf)
 *     g = tanh(W_g x + b_Wg + R_g h + b_Rg)   o = σ(W_o x + b_Wo + R_o h + b_Ro)
 *     c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')
 * gru (blocks r, z, n; reset applied after the recurrent product, ONNX linear_before_reset=1):
 *     r = σ(W_r x + b_Wr + R_r h + b_Rr)      z = σ(W_z x + b_Wz + R_z h + b_Rz)
 *     n = tanh(W_n x + b_Wn + r ⊙ (R_n h + b_Rn))
 *     h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 *
 * <h2>Parameters</h2>
 * Named as in a PyTorch {@code state_dict}, each in PyTorch's layout: {@code embedding.weight [V, E]};
 * per layer {@code l} and direction (suffix {@code _reverse} for backward) {@code rnn.weight_ih_l<l> [G·H, in]},
 * {@code rnn.weight_hh_l<l> [G·H, H]}, {@code rnn.bias_ih_l<l> [G·H]}, {@code rnn.bias_hh_l<l> [G·H]} with G the
 * gate count; {@code head.weight [O, H·D]}, {@code head.bias [O]}. Initialisation follows PyTorch: recurrent and
 * head tensors uniform in ±1/√fan-in (H for recurrent ones), embedding standard normal; so biases start non-zero.
 *
 * <p>Why not DJL's own {@code ai.djl.nn.recurrent.LSTM}/{@code GRU}/{@code RNN} blocks: they hand PyTorch their
 * parameters ordered weights-of-both-directions-then-biases, while PyTorch reads (w_ih, w_hh, b_ih, b_hh) per
 * direction; a bidirectional layer with biases therefore fails in DJL 0.35.1 ("The size of tensor a (4) must
 * match the size of tensor b (3)"). This block calls the same kernels with the parameters in PyTorch's order.
 *
 * <h2>Dropout</h2>
 * The training-only {@code dropout} rate is applied between stacked recurrent layers (PyTorch's own inter-layer
 * dropout) and to the top layer's output before the head; it is inactive when {@code training} is false.
 */
public final class RecurrentNet extends AbstractBlock {
    private static final byte VERSION = 1;

    static {
        DjlRuntime.configure();
    }

    private final NetworkSpec spec;
    private final float dropout;
    private final Parameter embedding;
    /** [layer][direction][weight_ih, weight_hh, bias_ih, bias_hh]. */
    private final Parameter[][][] recurrent;
    private final Parameter headWeight;
    private final Parameter headBias;

    private RecurrentNet(Builder builder) {
        super(VERSION);
        this.spec = builder.spec;
        this.dropout = builder.dropout;
        int hidden = spec.hiddenSize();
        int rows = spec.cell().gateCount() * hidden;
        float recurrentBound = (float) (1.0 / Math.sqrt(hidden));
        if (spec.inputKind() == InputKind.TOKENS) {
            embedding = add("embedding.weight", Parameter.Type.WEIGHT,
                    new Shape(spec.inputSize(), spec.embeddingSize()), new NormalInitializer(1f));
        } else {
            embedding = null;
        }
        recurrent = new Parameter[spec.layers()][spec.directions()][];
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                Initializer init = new UniformInitializer(recurrentBound);
                recurrent[l][d] = new Parameter[] {
                    add("rnn.weight_ih" + suffix, Parameter.Type.WEIGHT, new Shape(rows, spec.layerInputSize(l)), init),
                    add("rnn.weight_hh" + suffix, Parameter.Type.WEIGHT, new Shape(rows, hidden), init),
                    add("rnn.bias_ih" + suffix, Parameter.Type.BIAS, new Shape(rows), init),
                    add("rnn.bias_hh" + suffix, Parameter.Type.BIAS, new Shape(rows), init),
                };
            }
        }
        Initializer headInit = new UniformInitializer((float) (1.0 / Math.sqrt(spec.headInputSize())));
        headWeight = add("head.weight", Parameter.Type.WEIGHT,
                new Shape(spec.outputSize(), spec.headInputSize()), headInit);
        headBias = add("head.bias", Parameter.Type.BIAS, new Shape(spec.outputSize()), headInit);
    }

    private Parameter add(String name, Parameter.Type type, Shape shape, Initializer initializer) {
        return addParameter(Parameter.builder().setName(name).setType(type).optShape(shape)
                .optInitializer(initializer).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The network this block implements. */
    public NetworkSpec spec() {
        return spec;
    }

    /** Training-only dropout rate (0 = none). */
    public float dropout() {
        return dropout;
    }

    /**
     * Initialises every parameter with its PyTorch-style initializer, drawing from the engine's random generator
     * (seed it with {@link DjlRuntime#seed(long)} first for reproducible weights).
     */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, exampleInputShape());
    }

    /** The input shape of a batch of one, one step long. */
    public Shape exampleInputShape() {
        return spec.inputKind() == InputKind.TOKENS ? new Shape(1, 1) : new Shape(1, 1, spec.inputSize());
    }

    /** Number of state tensors: 2 (h, c) for LSTM, else 1 (h). */
    public int stateCount() {
        return spec.cell().hasCellState() ? 2 : 1;
    }

    /** Shape of one state tensor for {@code batchSize} sequences: [L·D, batch, H]. */
    public Shape stateShape(long batchSize) {
        return new Shape(spec.stateRows(), batchSize, spec.hiddenSize());
    }

    /** Zero initial states for {@code batchSize} sequences: {@code NDList(h0[, c0])}. */
    public NDList zeroState(NDManager manager, long batchSize) {
        NDList state = new NDList();
        for (int i = 0; i < stateCount(); i++) {
            state.add(manager.zeros(stateShape(batchSize)));
        }
        return state;
    }

    /**
     * The state arrays cut loose from the autograd graph (truncated back-propagation through time): the next
     * batch starts from these values but gradients stop here.
     */
    public static NDList detach(NDList state) {
        NDList detached = new NDList(state.size());
        for (NDArray a : state) {
            detached.add(a.stopGradient());
        }
        return detached;
    }

    /**
     * The recurrent parameters of one layer and direction, in PyTorch's order: weight_ih, weight_hh, bias_ih,
     * bias_hh.
     */
    public List<Parameter> recurrentParameters(int layer, int direction) {
        Objects.checkIndex(layer, spec.layers());
        Objects.checkIndex(direction, spec.directions());
        return List.of(recurrent[layer][direction]);
    }

    /** The embedding table parameter, or {@code null} for feature input. */
    public Parameter embeddingParameter() {
        return embedding;
    }

    public Parameter headWeightParameter() {
        return headWeight;
    }

    public Parameter headBiasParameter() {
        return headBias;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        int maxInputs = 1 + stateCount();
        if (inputs.isEmpty() || inputs.size() > maxInputs) {
            throw new IllegalArgumentException("inputs: expected the input and up to " + (maxInputs - 1)
                    + " state array(s) but got " + inputs.size() + " array(s)");
        }
        NDArray x = inputs.get(0);
        Shape shape = x.getShape();
        long batch = shape.get(0);
        NDArray sequence;
        if (spec.inputKind() == InputKind.TOKENS) {
            if (shape.dimension() != 2) {
                throw new IllegalArgumentException("tokens: expected shape [batch, sequence] but got " + shape);
            }
            NDArray ids = x.getDataType() == DataType.INT64 ? x : x.toType(DataType.INT64, false);
            NDArray table = store.getValue(embedding, x.getDevice(), training);
            sequence = ex(x).embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        } else {
            if (shape.dimension() != 3 || shape.get(2) != spec.inputSize()) {
                throw new IllegalArgumentException("features: expected shape [batch, sequence, " + spec.inputSize()
                        + "] but got " + shape);
            }
            sequence = x;
        }
        NDManager manager = x.getManager();
        NDArray h0 = inputs.size() > 1 ? checkState(inputs.get(1), "h0", batch) : manager.zeros(stateShape(batch));
        NDArray c0 = null;
        if (spec.cell().hasCellState()) {
            c0 = inputs.size() > 2 ? checkState(inputs.get(2), "c0", batch) : manager.zeros(stateShape(batch));
        }

        NDList weights = new NDList();
        for (Parameter[] direction : flatten()) {
            for (Parameter p : direction) {
                weights.add(store.getValue(p, x.getDevice(), training));
            }
        }
        float innerDropout = spec.layers() > 1 ? dropout : 0f;
        NDArrayEx ex = ex(sequence);
        NDList rnn;
        switch (spec.cell()) {
            case RNN_TANH, RNN_RELU -> rnn = ex.rnn(sequence, h0, weights, true, spec.layers(),
                    spec.cell() == CellKind.RNN_TANH ? RNN.Activation.TANH : RNN.Activation.RELU,
                    innerDropout, training, spec.bidirectional(), true);
            case GRU -> rnn = ex.gru(sequence, h0, weights, true, spec.layers(), innerDropout, training,
                    spec.bidirectional(), true);
            case LSTM -> rnn = ex.lstm(sequence, new NDList(h0, c0), weights, true, spec.layers(), innerDropout,
                    training, spec.bidirectional(), true);
            default -> throw new IllegalStateException("cell: unsupported " + spec.cell());
        }
        NDArray top = rnn.get(0); // [batch, sequence, H·D]
        NDArray hn = rnn.get(1);
        NDArray headInput;
        if (spec.head() == HeadKind.PER_STEP) {
            headInput = top;
        } else {
            // Rows (L−1)·D … L·D−1 of hn are the top layer's directions; lay them side by side per sequence.
            int first = (spec.layers() - 1) * spec.directions();
            headInput = hn.get(new NDIndex(first + ":"))
                    .transpose(1, 0, 2)
                    .reshape(batch, spec.headInputSize());
        }
        if (training && dropout > 0f) {
            headInput = ex(headInput).dropout(headInput, dropout, true).singletonOrThrow();
        }
        NDArray output = ex(headInput).linear(headInput, store.getValue(headWeight, x.getDevice(), training),
                store.getValue(headBias, x.getDevice(), training)).singletonOrThrow();
        NDList result = new NDList(output, hn);
        if (spec.cell().hasCellState()) {
            result.add(rnn.get(2));
        }
        return result;
    }

    private NDArray checkState(NDArray state, String name, long batch) {
        Shape expected = stateShape(batch);
        if (!state.getShape().equals(expected)) {
            throw new IllegalArgumentException(name + ": expected shape " + expected + " [L·D, batch, H] but got "
                    + state.getShape());
        }
        return state;
    }

    /** Recurrent parameters in the flat order PyTorch's kernels read: layer-major, direction-minor. */
    private List<Parameter[]> flatten() {
        List<Parameter[]> list = new ArrayList<>();
        for (Parameter[][] layer : recurrent) {
            for (Parameter[] direction : layer) {
                list.add(direction);
            }
        }
        return list;
    }

    private static NDArrayEx ex(NDArray array) {
        return array.getNDArrayInternal();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long batch = in.get(0);
        Shape output = spec.head() == HeadKind.PER_STEP
                ? new Shape(batch, in.get(1), spec.outputSize())
                : new Shape(batch, spec.outputSize());
        Shape state = stateShape(batch);
        return spec.cell().hasCellState() ? new Shape[] {output, state, state} : new Shape[] {output, state};
    }

    @Override
    public String toString() {
        return "RecurrentNet(" + spec.cell().id() + ", layers=" + spec.layers() + ", hidden=" + spec.hiddenSize()
                + (spec.bidirectional() ? ", bidirectional" : "") + ", " + spec.inputKind().id() + " "
                + spec.inputSize() + ", head=" + spec.head().id() + " " + spec.outputSize() + ", dropout=" + dropout
                + ")";
    }

    /** Builder: {@link #setSpec} required; {@link #optDropout} optional (default 0). */
    public static final class Builder {
        private NetworkSpec spec;
        private float dropout;

        private Builder() {
        }

        public Builder setSpec(NetworkSpec spec) {
            this.spec = spec;
            return this;
        }

        /** Training-only dropout between recurrent layers and before the head, in [0, 1). */
        public Builder optDropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        public RecurrentNet build() {
            if (spec == null) {
                throw new IllegalArgumentException("spec: required but was not set");
            }
            if (!(dropout >= 0f && dropout < 1f)) {
                throw new IllegalArgumentException("dropout: expected a rate in [0, 1) but got " + dropout);
            }
            return new RecurrentNet(this);
        }
    }
}
