package io.stepwise.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.stepwise.conversion.InputKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.training.model.RecurrentNet;
import java.util.List;
import java.util.Objects;

/**
 * Copies a {@link RecurrentNet}'s parameters into a conversion {@link NetworkWeights}.
 *
 * <p>No re-ordering is needed: {@link RecurrentNet} keeps every tensor in PyTorch's layout and hands it to
 * PyTorch's own kernels, so the gate blocks along the rows are PyTorch's (LSTM i, f, g, o; GRU r, z, n; RNN one
 * block) — exactly what {@link LayerWeights} expects; the ONNX re-ordering is {@code GateLayout}'s job. Per layer
 * {@code l} and direction {@code d} (0 forward, 1 backward = name suffix {@code _reverse}), G = gate count:
 * <pre>
 * rnn.weight_ih_l{l}[_reverse]  [G·H, in]   → LayerWeights.inputWeights      (in = E or F for l = 0, else H·D)
 * rnn.weight_hh_l{l}[_reverse]  [G·H, H]    → LayerWeights.recurrentWeights
 * rnn.bias_ih_l{l}[_reverse]    [G·H]       → LayerWeights.inputBias
 * rnn.bias_hh_l{l}[_reverse]    [G·H]       → LayerWeights.recurrentBias
 * embedding.weight              [V, E]      → embedding (token input only)
 * head.weight [O, H·D], head.bias [O]       → head
 * </pre>
 * That this layout is right is not assumed but proven on every export by {@link ModelExporter}'s parity check.
 */
public final class WeightExtractor {
    private WeightExtractor() {
    }

    /**
     * Reads the current parameter values of {@code net}.
     *
     * @throws IllegalStateException    when the network has not been initialised
     * @throws IllegalArgumentException when a value is NaN or infinite (from {@link NetworkWeights#validate})
     */
    public static NetworkWeights extract(RecurrentNet net) {
        Objects.requireNonNull(net, "net");
        if (!net.isInitialized()) {
            throw new IllegalStateException("net: not initialised; call initialize(manager) or train it first");
        }
        NetworkSpec spec = net.spec();
        NetworkWeights.Builder builder = NetworkWeights.builder(spec);
        if (spec.inputKind() == InputKind.TOKENS) {
            builder.setEmbedding(read(net.embeddingParameter(), spec.inputSize(), spec.embeddingSize()));
        }
        int rows = spec.cell().gateCount() * spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                List<Parameter> p = net.recurrentParameters(l, d);
                builder.setLayer(l, d, new LayerWeights(
                        read(p.get(0), rows, spec.layerInputSize(l)),
                        read(p.get(1), rows, spec.hiddenSize()),
                        read(p.get(2), rows),
                        read(p.get(3), rows)));
            }
        }
        builder.setHead(read(net.headWeightParameter(), spec.outputSize(), spec.headInputSize()),
                read(net.headBiasParameter(), spec.outputSize()));
        return builder.build();
    }

    private static float[] read(Parameter parameter, long... expectedShape) {
        NDArray array = parameter.getArray();
        Shape expected = new Shape(expectedShape);
        if (!array.getShape().equals(expected)) {
            throw new IllegalStateException(parameter.getName() + ": expected shape " + expected + " but the network"
                    + " holds " + array.getShape());
        }
        return array.toFloatArray();
    }
}
