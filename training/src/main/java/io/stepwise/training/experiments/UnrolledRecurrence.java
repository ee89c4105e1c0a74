package io.stepwise.training.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.InputKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.model.RecurrentNet;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link RecurrentNet}'s recurrence written out step by step in DJL operators, over the very same parameters,
 * so that every hidden state h_t is a node of the autograd graph whose gradient can be read — PyTorch's fused
 * kernels ({@code torch::lstm} and friends) keep their per-step states internal. The cell equations are those of
 * {@link RecurrentNet}'s documentation (PyTorch's gate order; GRU with the reset applied after the recurrent
 * product). {@link #maxDifferenceFromFused} checks them against the fused kernel.
 *
 * <p><b>Reading ∂loss/∂h_t.</b> Each step's state is computed as h_t = cell(x_t, h_{t−1}) + p_t where p_t is a
 * zero "probe" leaf that requires a gradient; since h_t depends on p_t with derivative 1, after backward the
 * gradient of p_t is exactly ∂loss/∂h_t, through every path (the head and all later steps). For LSTM h_t is the
 * hidden (output) state; the cell state c_t is carried alongside.
 *
 * <p>One layer, one direction, no dropout: the networks the gradient-flow experiment measures.
 */
public final class UnrolledRecurrence {
    private final RecurrentNet net;
    private final NetworkSpec spec;

    /** The unrolled form of {@code net}, which must be initialised, one layer and one direction. */
    public UnrolledRecurrence(RecurrentNet net) {
        this.net = net;
        this.spec = net.spec();
        if (spec.layers() != 1 || spec.bidirectional()) {
            throw new IllegalArgumentException("net: expected one layer and one direction but got " + net);
        }
        if (spec.cell() == CellKind.RNN_RELU) {
            // Supported the same way; kept out only because nothing here measures it.
            throw new IllegalArgumentException("net: cell rnn-relu is not unrolled here; use rnn, lstm or gru");
        }
    }

    /**
     * The result of one unrolled forward pass.
     *
     * @param outputs per-step head outputs [batch, T, O]
     * @param probes  the probe leaves p_0 … p_{T−1}, each [batch, H]; after backward, their gradients are
     *                ∂loss/∂h_t
     */
    public record Unrolled(NDArray outputs, List<NDArray> probes) {
    }

    /**
     * Runs the network on {@code x} (token ids [batch, T] or features [batch, T, F]) from a zero state, in
     * {@code manager}. Call inside a gradient collector to back-propagate.
     */
    public Unrolled forward(NDManager manager, NDArray x) {
        return forward(manager, x, -1, 0, 0, 0f);
    }

    /**
     * {@link #forward(NDManager, NDArray)} with the probe of step {@code step} set to {@code nudge} at
     * [{@code row}, {@code column}] instead of zero: adds {@code nudge} to that state, for finite-difference checks
     * of the probe gradients.
     */
    Unrolled forward(NDManager manager, NDArray x, int step, int row, int column, float nudge) {
        NDArray sequence;
        if (spec.inputKind() == InputKind.TOKENS) {
            NDArray ids = x.getDataType() == DataType.INT64 ? x : x.toType(DataType.INT64, false);
            sequence = ids.getNDArrayInternal().embedding(ids, value(net.embeddingParameter()), SparseFormat.DENSE)
                    .singletonOrThrow();
        } else {
            sequence = x;
        }
        List<Parameter> p = net.recurrentParameters(0, 0);
        NDArray wih = value(p.get(0));
        NDArray whh = value(p.get(1));
        NDArray bih = value(p.get(2));
        NDArray bhh = value(p.get(3));
        long batch = sequence.getShape().get(0);
        long steps = sequence.getShape().get(1);
        int hidden = spec.hiddenSize();
        NDArray inputPart = sequence.getNDArrayInternal().linear(sequence, wih, bih).singletonOrThrow();
        NDArray h = manager.zeros(new ai.djl.ndarray.types.Shape(batch, hidden));
        NDArray c = spec.cell().hasCellState() ? manager.zeros(h.getShape()) : null;
        List<NDArray> probes = new ArrayList<>();
        List<NDArray> states = new ArrayList<>();
        for (long t = 0; t < steps; t++) {
            NDArray xt = inputPart.get(new NDIndex(":, {}, :", t));
            NDArray ht = h.getNDArrayInternal().linear(h, whh, bhh).singletonOrThrow();
            NDArray next;
            switch (spec.cell()) {
                case RNN_TANH -> next = xt.add(ht).tanh();
                case LSTM -> {
                    NDList xg = xt.split(4, 1);
                    NDList hg = ht.split(4, 1);
                    NDArray i = xg.get(0).add(hg.get(0)).getNDArrayInternal().sigmoid();
                    NDArray f = xg.get(1).add(hg.get(1)).getNDArrayInternal().sigmoid();
                    NDArray g = xg.get(2).add(hg.get(2)).tanh();
                    NDArray o = xg.get(3).add(hg.get(3)).getNDArrayInternal().sigmoid();
                    c = f.mul(c).add(i.mul(g));
                    next = o.mul(c.tanh());
                }
                case GRU -> {
                    NDList xg = xt.split(3, 1);
                    NDList hg = ht.split(3, 1);
                    NDArray r = xg.get(0).add(hg.get(0)).getNDArrayInternal().sigmoid();
                    NDArray z = xg.get(1).add(hg.get(1)).getNDArrayInternal().sigmoid();
                    NDArray n = xg.get(2).add(r.mul(hg.get(2))).tanh();
                    next = z.neg().add(1).mul(n).add(z.mul(h));
                }
                default -> throw new IllegalStateException("cell: unsupported " + spec.cell());
            }
            NDArray probe = manager.zeros(next.getShape());
            if (t == step) {
                probe.setScalar(new NDIndex(row + ", " + column), nudge);
            }
            probe.setRequiresGradient(true);
            h = next.add(probe);
            probes.add(probe);
            states.add(h);
        }
        NDArray top = NDArrays.stack(states, 1); // [batch, T, H]
        NDArray outputs = top.getNDArrayInternal().linear(top, value(net.headWeightParameter()),
                value(net.headBiasParameter())).singletonOrThrow();
        return new Unrolled(outputs, probes);
    }

    /**
     * The largest |difference| between this unrolled pass and the network's own fused-kernel forward pass on
     * {@code x}, over every per-step output.
     */
    public double maxDifferenceFromFused(NDManager manager, NDArray x) {
        NDArray unrolled = forward(manager, x).outputs();
        NDArray fused;
        // The fused kernel as training runs it (autograd recording). PyTorch 2.7.1's CPU inference path for LSTM
        // (no gradient recording) returns different values for hidden sizes below 32 in our measurements, so the
        // reference is the path whose gradients the experiments read.
        try (GradientCollector collector = DjlRuntime.engine().newGradientCollector()) {
            fused = net.forward(new ParameterStore(manager, false), new NDList(x), false).get(0);
        }
        return unrolled.sub(fused).abs().max().toType(DataType.FLOAT64, false).getDouble();
    }

    private static NDArray value(Parameter parameter) {
        return parameter.getArray();
    }

    /** DJL's stack over a list. */
    private static final class NDArrays {
        static NDArray stack(List<NDArray> arrays, int axis) {
            return ai.djl.ndarray.NDArrays.stack(new NDList(arrays), axis);
        }
    }
}
