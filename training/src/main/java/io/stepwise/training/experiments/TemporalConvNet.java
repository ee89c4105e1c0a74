package io.stepwise.training.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A temporal convolutional network (Bai, Kolter &amp; Koltun, 2018): an input layer (token embedding, or a 1×1
 * convolution of the features), then {@code levels} residual blocks, block i holding two causal convolutions with
 * kernel {@code kernel} and dilation 2^i, each followed by ReLU, the block's input added back (through a 1×1
 * convolution when the widths differ — they do not here, every block has {@code channels} channels); then a
 * linear head on every step ({@code perStep}) or on the last step only.
 *
 * <p><b>Causal:</b> each convolution pads only on the left, by (kernel − 1)·dilation steps, so output t sees
 * inputs ≤ t and nothing after. <b>Receptive field:</b> 1 + 2·(kernel − 1)·(2^levels − 1) steps
 * ({@link #receptiveField}); an input further back than that cannot influence an output at all.
 *
 * <p><b>Weight normalisation</b> (Salimans &amp; Kingma, 2016), as in the original design: every dilated
 * convolution's filter for output channel o is {@code w_o = g_o · v_o / ‖v_o‖}, with a trained direction v and a
 * trained length g. Without it the residual stack's effective weights are free to grow together, and an update
 * that lengthens them compounds through every level; with it a step changes a filter's length only through g, one
 * number per channel. v starts uniform in ±1/√(channels·kernel) (PyTorch's default for a convolution) and g at
 * 1/√3, the expected length of such a filter, so the network starts where the default initialisation would put
 * it. The head starts at N(0, 0.01²) as in the reference implementation, so the first outputs are near the head's
 * bias rather than a sum over every channel of the un-normalised residual stream.
 *
 * <p>Input: int64 [batch, T] token ids or float [batch, T, F] features. Output: {@code NDList(y)} with y
 * [batch, T, O] (per step) or [batch, O] (last step). The original design's dropout is left out: these runs are
 * short and the recurrent models they are compared with use none.
 */
public final class TemporalConvNet extends AbstractBlock {
    /** Expected L2 length of a filter drawn uniformly in ±1/√n over n weights: √(n · (1/n) / 3). */
    static final double INITIAL_FILTER_NORM = 1 / Math.sqrt(3);
    /** Standard deviation of the head's initial weights (Bai, Kolter &amp; Koltun's reference code). */
    static final float HEAD_INIT_SD = 0.01f;
    private final boolean tokens;
    private final int inputSize;
    private final int channels;
    private final int levels;
    private final int kernel;
    private final int outputSize;
    private final boolean perStep;
    private final Parameter inputWeight;
    private final Parameter inputBias;
    private final List<Parameter[]> blocks = new ArrayList<>();
    private final Parameter headWeight;
    private final Parameter headBias;

    /**
     * @param tokens     token input (an embedding of width {@code channels}) or feature input
     * @param inputSize  vocabulary size (tokens) or feature count
     * @param channels   width of every layer
     * @param levels     residual blocks; dilations 1, 2, 4, …
     * @param kernel     kernel size of every convolution (≥ 2)
     * @param outputSize outputs of the head
     * @param perStep    a head on every step, else on the last step only
     */
    public TemporalConvNet(boolean tokens, int inputSize, int channels, int levels, int kernel, int outputSize,
                           boolean perStep) {
        super((byte) 1);
        if (inputSize < 1 || channels < 1 || levels < 1 || kernel < 2 || outputSize < 1) {
            throw new IllegalArgumentException("TemporalConvNet: expected inputSize, channels, levels, outputSize ≥ 1"
                    + " and kernel ≥ 2 but got " + inputSize + ", " + channels + ", " + levels + ", " + outputSize
                    + ", kernel " + kernel);
        }
        this.tokens = tokens;
        this.inputSize = inputSize;
        this.channels = channels;
        this.levels = levels;
        this.kernel = kernel;
        this.outputSize = outputSize;
        this.perStep = perStep;
        if (tokens) {
            inputWeight = param("embedding.weight", new Shape(inputSize, channels), new NormalInitializer(1f));
            inputBias = null;
        } else {
            float b = (float) (1 / Math.sqrt(inputSize));
            inputWeight = param("input.weight", new Shape(channels, inputSize, 1), new UniformInitializer(b));
            inputBias = param("input.bias", new Shape(channels), new UniformInitializer(b));
        }
        float bound = (float) (1 / Math.sqrt(channels * kernel));
        for (int i = 0; i < levels; i++) {
            List<Parameter> block = new ArrayList<>();
            for (String conv : new String[] {".conv1", ".conv2"}) {
                String prefix = "block" + i + conv;
                block.add(param(prefix + ".weight_v", new Shape(channels, channels, kernel),
                        new UniformInitializer(bound)));
                block.add(param(prefix + ".weight_g", new Shape(channels, 1, 1),
                        new ConstantInitializer((float) INITIAL_FILTER_NORM)));
                block.add(param(prefix + ".bias", new Shape(channels), new UniformInitializer(bound)));
            }
            blocks.add(block.toArray(new Parameter[0]));
        }
        float hb = (float) (1 / Math.sqrt(channels));
        headWeight = param("head.weight", new Shape(outputSize, channels), new NormalInitializer(HEAD_INIT_SD));
        headBias = param("head.bias", new Shape(outputSize), new UniformInitializer(hb));
    }

    private Parameter param(String name, Shape shape, ai.djl.training.initializer.Initializer init) {
        return addParameter(Parameter.builder().setName(name)
                .setType(name.endsWith("bias") ? Parameter.Type.BIAS : Parameter.Type.WEIGHT).optShape(shape)
                .optInitializer(init).build());
    }

    /** Steps back an output can see: 1 + 2·(kernel − 1)·(2^levels − 1). */
    public static int receptiveField(int kernel, int levels) {
        return 1 + 2 * (kernel - 1) * ((1 << levels) - 1);
    }

    /** This network's receptive field in steps. */
    public int receptiveField() {
        return receptiveField(kernel, levels);
    }

    /** Parameter count of a network with these sizes (for matching budgets before building one). */
    public static long parameterCount(boolean tokens, int inputSize, int channels, int levels, int kernel,
                                      int outputSize) {
        long input = tokens ? (long) inputSize * channels : (long) channels * inputSize + channels;
        long block = 2L * ((long) channels * channels * kernel + channels + channels); // v, g, bias
        return input + levels * block + (long) outputSize * channels + outputSize;
    }

    /** The example input shape for initialisation: a batch of one, one step. */
    public Shape exampleInputShape() {
        return tokens ? new Shape(1, 1) : new Shape(1, 1, inputSize);
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        var device = x.getDevice();
        NDArray h; // [batch, channels, T]
        if (tokens) {
            if (x.getShape().dimension() != 2) {
                throw new IllegalArgumentException("tokens: expected shape [batch, T] but got " + x.getShape());
            }
            NDArray ids = x.getDataType() == DataType.INT64 ? x : x.toType(DataType.INT64, false);
            NDArray table = store.getValue(inputWeight, device, training);
            h = x.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow()
                    .transpose(0, 2, 1);
        } else {
            if (x.getShape().dimension() != 3 || x.getShape().get(2) != inputSize) {
                throw new IllegalArgumentException("features: expected shape [batch, T, " + inputSize + "] but got "
                        + x.getShape());
            }
            h = Conv1d.conv1d(x.transpose(0, 2, 1), store.getValue(inputWeight, device, training),
                    store.getValue(inputBias, device, training)).singletonOrThrow();
        }
        for (int i = 0; i < levels; i++) {
            Parameter[] p = blocks.get(i);
            int dilation = 1 << i;
            NDArray y = causalConv(h, normalisedWeight(store, p[0], p[1], device, training),
                    store.getValue(p[2], device, training), dilation);
            y = Activation.relu(y);
            y = causalConv(y, normalisedWeight(store, p[3], p[4], device, training),
                    store.getValue(p[5], device, training), dilation);
            y = Activation.relu(y);
            h = Activation.relu(y.add(h));
        }
        NDArray features = h.transpose(0, 2, 1); // [batch, T, channels]
        if (!perStep) {
            long t = features.getShape().get(1);
            features = features.get(new NDIndex(":, {}, :", t - 1));
        }
        NDArray out = features.getNDArrayInternal().linear(features, store.getValue(headWeight, device, training),
                store.getValue(headBias, device, training)).singletonOrThrow();
        return new NDList(out);
    }

    /** g · v / ‖v‖, the norm taken per output channel (over input channels and kernel taps). */
    private static NDArray normalisedWeight(ParameterStore store, Parameter direction, Parameter length,
                                            ai.djl.Device device, boolean training) {
        NDArray v = store.getValue(direction, device, training);
        NDArray g = store.getValue(length, device, training);
        return v.mul(g).div(v.square().sum(new int[] {1, 2}, true).sqrt());
    }

    /** A dilated convolution of [batch, channels, T] padded on the left only, so the output stays causal. */
    private NDArray causalConv(NDArray x, NDArray weight, NDArray bias, int dilation) {
        int pad = (kernel - 1) * dilation;
        NDArray padded = x.pad(new Shape(pad, 0), 0);
        return Conv1d.conv1d(padded, weight, bias, new Shape(1), new Shape(0), new Shape(dilation))
                .singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {perStep ? new Shape(in.get(0), in.get(1), outputSize) : new Shape(in.get(0), outputSize)};
    }

    @Override
    public String toString() {
        return "TemporalConvNet(" + (tokens ? "tokens " : "features ") + inputSize + ", channels=" + channels
                + ", levels=" + levels + ", kernel=" + kernel + ", receptive field " + receptiveField() + ", "
                + (perStep ? "per step " : "last step ") + outputSize + ")";
    }
}
