package io.stepwise.conversion;

import static io.stepwise.conversion.OnnxExporter.BATCH;
import static io.stepwise.conversion.OnnxExporter.C0;
import static io.stepwise.conversion.OnnxExporter.CN;
import static io.stepwise.conversion.OnnxExporter.EMBEDDING_INITIALIZER;
import static io.stepwise.conversion.OnnxExporter.H0;
import static io.stepwise.conversion.OnnxExporter.HEAD_BIAS_INITIALIZER;
import static io.stepwise.conversion.OnnxExporter.HEAD_WEIGHT_INITIALIZER;
import static io.stepwise.conversion.OnnxExporter.HN;
import static io.stepwise.conversion.OnnxExporter.OUTPUT;
import static io.stepwise.conversion.OnnxExporter.SEQUENCE;
import static io.stepwise.conversion.OnnxExporter.SEQUENCE_LENS;
import static io.stepwise.conversion.OnnxExporter.layerInitializer;

import io.stepwise.conversion.OnnxGraphBuilder.Dim;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto.DataType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the nodes of one network into a graph for {@link OnnxExporter}; one instance per export. The graph's
 * shape is described on {@link OnnxExporter#toModel}.
 */
final class RecurrentGraphWriter {
    private final NetworkSpec spec;
    private final NetworkWeights weights;
    private final OnnxGraphBuilder graph;
    private final int directions;
    private final int hidden;

    RecurrentGraphWriter(NetworkSpec spec, NetworkWeights weights, OnnxGraphBuilder graph) {
        this.spec = spec;
        this.weights = weights;
        this.graph = graph;
        this.directions = spec.directions();
        this.hidden = spec.hiddenSize();
    }

    void write() {
        Dim batch = Dim.named(BATCH);
        Dim sequence = Dim.named(SEQUENCE);
        Dim stateRows = Dim.of(spec.stateRows());
        Dim hiddenDim = Dim.of(hidden);
        String input = spec.inputKind() == InputKind.TOKENS
                ? graph.input(spec.inputKind().id(), DataType.INT64, batch, sequence)
                : graph.input(spec.inputKind().id(), DataType.FLOAT, batch, sequence, Dim.of(spec.inputSize()));
        String h0 = graph.input(H0, DataType.FLOAT, stateRows, batch, hiddenDim);
        String c0 = spec.cell().hasCellState()
                ? graph.input(C0, DataType.FLOAT, stateRows, batch, hiddenDim) : null;
        String lengths = graph.input(SEQUENCE_LENS, DataType.INT32, batch);

        String batchFirst = input;
        if (spec.inputKind() == InputKind.TOKENS) {
            String table = graph.floatInitializer(EMBEDDING_INITIALIZER, weights.embedding(),
                    spec.inputSize(), spec.embeddingSize());
            batchFirst = node(OnnxOperator.GATHER, "embedding", List.of(table, input), Map.of("axis", 0));
        }
        String layerInput = transpose("input_sequence_major", batchFirst, 1, 0, 2);

        List<String> finalH = new ArrayList<>();
        List<String> finalC = new ArrayList<>();
        String topY = null;
        for (int l = 0; l < spec.layers(); l++) {
            OnnxGraphBuilder.Node layer = recurrentLayer(l, layerInput, lengths, h0, c0);
            finalH.add(layer.output("Y_h"));
            if (c0 != null) {
                finalC.add(layer.output("Y_c"));
            }
            topY = layer.output("Y");
            if (l + 1 < spec.layers()) {
                // [seq, D, batch, H] → [seq, batch, D, H] → [seq, batch, D·H]: directions side by side.
                String stacked = transpose("layer" + l + "_directions_last", topY, 0, 2, 1, 3);
                layerInput = reshape("layer" + (l + 1) + "_input", stacked, 0, 0, -1);
            }
        }

        String headInput;
        if (spec.head() == HeadKind.PER_STEP) {
            // [seq, D, batch, H] → [batch, seq, D, H] → [batch, seq, D·H]
            String batchMajor = transpose("top_batch_first", topY, 2, 0, 1, 3);
            headInput = reshape("head_input", batchMajor, 0, 0, -1);
        } else {
            // Y_h [D, batch, H] → [batch, D, H] → [batch, D·H]: forward state, then backward state.
            String top = finalH.get(finalH.size() - 1);
            String batchMajor = transpose("top_final_batch_first", top, 1, 0, 2);
            headInput = reshape("head_input", batchMajor, 0, -1);
        }
        String headWeightT = graph.floatInitializer(HEAD_WEIGHT_INITIALIZER,
                transposeMatrix(weights.headWeight(), spec.outputSize(), spec.headInputSize()),
                spec.headInputSize(), spec.outputSize());
        String headBias = graph.floatInitializer(HEAD_BIAS_INITIALIZER, weights.headBias(), spec.outputSize());
        String logits = node(OnnxOperator.MATMUL, "head_matmul", List.of(headInput, headWeightT), Map.of());
        node(OnnxOperator.ADD, OUTPUT, List.of(logits, headBias), Map.of());

        concatStates(HN, finalH);
        if (c0 != null) {
            concatStates(CN, finalC);
        }

        Dim outputDim = Dim.of(spec.outputSize());
        if (spec.head() == HeadKind.PER_STEP) {
            graph.output(OUTPUT, DataType.FLOAT, batch, sequence, outputDim);
        } else {
            graph.output(OUTPUT, DataType.FLOAT, batch, outputDim);
        }
        graph.output(HN, DataType.FLOAT, stateRows, batch, hiddenDim);
        if (c0 != null) {
            graph.output(CN, DataType.FLOAT, stateRows, batch, hiddenDim);
        }
    }

    private OnnxGraphBuilder.Node recurrentLayer(int l, String x, String lengths, String h0, String c0) {
        CellKind cell = spec.cell();
        int rows = cell.gateCount() * hidden;
        int in = spec.layerInputSize(l);
        float[] w = new float[directions * rows * in];
        float[] r = new float[directions * rows * hidden];
        float[] b = new float[directions * 2 * rows];
        for (int d = 0; d < directions; d++) {
            LayerWeights lw = weights.layer(l, d);
            System.arraycopy(GateLayout.reorderGates(cell, lw.inputWeights(), hidden), 0, w, d * rows * in,
                    rows * in);
            System.arraycopy(GateLayout.reorderGates(cell, lw.recurrentWeights(), hidden), 0, r,
                    d * rows * hidden, rows * hidden);
            System.arraycopy(GateLayout.onnxBias(cell, lw.inputBias(), lw.recurrentBias(), hidden), 0, b,
                    d * 2 * rows, 2 * rows);
        }
        String prefix = "layer" + l;
        String wName = graph.floatInitializer(layerInitializer(l, "W"), w, directions, rows, in);
        String rName = graph.floatInitializer(layerInitializer(l, "R"), r, directions, rows, hidden);
        String bName = graph.floatInitializer(layerInitializer(l, "B"), b, directions, 2L * rows);
        String starts = graph.longInitializer(prefix + "_state_start", (long) l * directions);
        String ends = graph.longInitializer(prefix + "_state_end", (long) (l + 1) * directions);
        String axes = graph.longInitializer(prefix + "_state_axis", 0);
        String initialH = node(OnnxOperator.SLICE, prefix + "_initial_h", List.of(h0, starts, ends, axes),
                Map.of());

        List<String> inputs = new ArrayList<>(List.of(x, wName, rName, bName, lengths, initialH));
        if (c0 != null) {
            inputs.add(node(OnnxOperator.SLICE, prefix + "_initial_c", List.of(c0, starts, ends, axes),
                    Map.of()));
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("hidden_size", hidden);
        attributes.put("direction", directions == 2 ? "bidirectional" : "forward");
        attributes.put("layout", 0);
        OnnxOperator op = switch (cell) {
            case RNN_TANH, RNN_RELU -> {
                String activation = cell == CellKind.RNN_TANH ? "Tanh" : "Relu";
                attributes.put("activations", Collections.nCopies(directions, activation));
                yield OnnxOperator.RNN;
            }
            case GRU -> {
                attributes.put("linear_before_reset", 1);
                yield OnnxOperator.GRU;
            }
            case LSTM -> OnnxOperator.LSTM;
        };
        return graph.node(op, prefix + "_" + cell.id(), inputs, attributes);
    }

    private void concatStates(String name, List<String> perLayer) {
        if (perLayer.size() == 1) {
            node(OnnxOperator.IDENTITY, name, perLayer, Map.of());
        } else {
            node(OnnxOperator.CONCAT, name, perLayer, Map.of("axis", 0));
        }
    }

    private String transpose(String label, String value, long... perm) {
        return node(OnnxOperator.TRANSPOSE, label, List.of(value), Map.of("perm", perm));
    }

    private String reshape(String label, String value, long... shape) {
        String target = graph.longInitializer(label + "_shape", shape);
        return node(OnnxOperator.RESHAPE, label, List.of(value, target), Map.of());
    }

    private String node(OnnxOperator op, String label, List<String> inputs, Map<String, ?> attributes) {
        return graph.node(op, label, inputs, attributes).output();
    }

    private static float[] transposeMatrix(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }
}
