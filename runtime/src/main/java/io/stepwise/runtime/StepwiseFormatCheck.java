package io.stepwise.runtime;

import io.stepwise.runtime.OnnxModelParser.Attribute;
import io.stepwise.runtime.OnnxModelParser.Graph;
import io.stepwise.runtime.OnnxModelParser.Model;
import io.stepwise.runtime.OnnxModelParser.Node;
import io.stepwise.runtime.OnnxModelParser.OpsetId;
import io.stepwise.runtime.OnnxModelParser.Tensor;
import io.stepwise.runtime.OnnxModelParser.ValueInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Stepwise file (format 1 or 2) must be exactly the graph that conversion's {@code OnnxExporter} writes for the
 * architecture its metadata states (docs/model-format.md): the same graph inputs and outputs with their types and
 * shapes, the same initializers with their types, shapes and (for the int64 shape and slice constants) values, and
 * the same nodes in the same order with the same inputs, outputs and attributes; one default-domain opset in the
 * exporter's range; no functions, training graphs, sparse initializers, value_info or annotations. The expected
 * graph is rebuilt here from the metadata, so metadata that disagrees with the graph is refused naming the first
 * tensor or node that differs. Conversion's tests export every architecture and check that it passes.
 */
final class StepwiseFormatCheck {
    private static final int FLOAT = TensorData.FLOAT;
    private static final int INT64 = TensorData.INT64;
    private static final int INT32 = TensorData.INT32;
    /** AttributeProto.AttributeType numbers. */
    private static final long INT = 2;
    private static final long STRING = 3;
    private static final long INTS = 7;
    private static final long STRINGS = 8;

    /** One expected initializer: type, shape and, for int64 constants, values. */
    private record ExpectedTensor(int type, long[] dims, long[] values) {
    }

    private record ExpectedNode(String opType, List<String> inputs, List<String> outputs, Map<String, Object> attributes) {
    }

    private final Map<String, ExpectedTensor> initializers = new LinkedHashMap<>();
    private final List<ExpectedNode> nodes = new ArrayList<>();

    private StepwiseFormatCheck() {
    }

    /**
     * @throws IllegalArgumentException naming what differs from the exporter's structure
     */
    static void check(Model model, ProtoWire wire, Map<String, String> metadata) {
        if (!metadata.containsKey(ModelFormat.FORMAT)) {
            throw new IllegalArgumentException("the model has no Stepwise metadata (stepwise.format) and no signature"
                    + " was given. To run a recurrent ONNX model from another tool, bind it with"
                    + " RecurrentModel.load(path, ModelSignature.builder().input(..).output(..).state(..).build())");
        }
        ModelInfo info = MetadataParser.fromStepwiseMetadata(metadata);
        header(model);
        StepwiseFormatCheck expected = new StepwiseFormatCheck();
        Graph g = model.graph();
        expected.interface_(info, g);
        expected.build(info);
        expected.compareInitializers(g, wire);
        expected.compareNodes(g);
    }

    private static void header(Model model) {
        if (model.irVersion() < 7 || model.irVersion() > 10) {
            throw new IllegalArgumentException("IR version " + model.irVersion() + "; the exporter writes 7..10");
        }
        List<OpsetId> opsets = model.opsets();
        if (opsets.size() != 1 || !(opsets.get(0).domain().isEmpty() || opsets.get(0).domain().equals("ai.onnx"))
                || opsets.get(0).version() < 14 || opsets.get(0).version() > 21) {
            throw new IllegalArgumentException("opset imports " + opsets + "; the exporter writes one default-domain"
                    + " opset in 14..21");
        }
        Graph g = model.graph();
        if (!model.functions().isEmpty() || !model.trainingGraphs().isEmpty() || !g.sparseInitializers().isEmpty()
                || g.valueInfos() > 0 || g.annotations() > 0) {
            throw new IllegalArgumentException("the model has " + model.functions().size() + " functions, "
                    + model.trainingGraphs().size() + " training graphs, " + g.sparseInitializers().size()
                    + " sparse initializers, " + g.valueInfos() + " value_info and " + g.annotations()
                    + " quantization annotations; the exporter writes none");
        }
    }

    /** Checks the metadata's names and the graph inputs and outputs. */
    private void interface_(ModelInfo info, Graph g) {
        boolean lstm = info.hasCellState();
        expectName(ModelFormat.INPUT_NAME, info.inputName(), info.inputKind().wireName(), g.inputs(), "input");
        expectName(ModelFormat.OUTPUT_NAME, info.outputName(), "output", g.outputs(), "output");
        expectEquals(ModelFormat.STATE_INPUTS, info.stateInputs(), lstm ? List.of("h0", "c0") : List.of("h0"));
        expectEquals(ModelFormat.STATE_OUTPUTS, info.stateOutputs(), lstm ? List.of("hn", "cn") : List.of("hn"));
        List<Object> state = List.of((long) info.stateRows(), "batch", (long) info.hiddenSize());
        List<ValueInfo> inputs = new ArrayList<>();
        inputs.add(info.isTokenInput() ? new ValueInfo("tokens", true, INT64, List.of("batch", "sequence"))
                : new ValueInfo("features", true, FLOAT, List.of("batch", "sequence", (long) info.inputSize())));
        inputs.add(new ValueInfo("h0", true, FLOAT, state));
        if (lstm) {
            inputs.add(new ValueInfo("c0", true, FLOAT, state));
        }
        if (info.formatVersion() >= 2) {
            inputs.add(new ValueInfo(ModelFormat.SEQUENCE_LENGTHS_INPUT, true, INT32, List.of("batch")));
        }
        List<ValueInfo> outputs = new ArrayList<>();
        outputs.add(new ValueInfo("output", true, FLOAT, info.isPerStep()
                ? List.of("batch", "sequence", (long) info.outputSize()) : List.of("batch", (long) info.outputSize())));
        outputs.add(new ValueInfo("hn", true, FLOAT, state));
        if (lstm) {
            outputs.add(new ValueInfo("cn", true, FLOAT, state));
        }
        compareValues("graph inputs", g.inputs(), inputs);
        compareValues("graph outputs", g.outputs(), outputs);
    }

    private static void compareValues(String what, List<ValueInfo> actual, List<ValueInfo> expected) {
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException(what + " are " + describe(actual) + " but the metadata describes "
                    + describe(expected));
        }
    }

    private static String describe(List<ValueInfo> values) {
        List<String> out = new ArrayList<>();
        for (ValueInfo v : values) {
            out.add(v.name() + (v.tensor() ? " " + TensorData.name(v.elemType()) + " " + v.dims() : " (not a tensor)"));
        }
        return out.toString();
    }

    private static void expectName(String key, String actual, String expected, List<ValueInfo> values, String what) {
        if (!actual.equals(expected)) {
            boolean exists = values.stream().anyMatch(v -> v.name().equals(actual));
            throw new IllegalArgumentException(key + " is '" + actual + "'" + (exists ? ""
                    : " but the graph has no " + what + " named '" + actual + "'") + "; the format fixes it to '"
                    + expected + "'");
        }
    }

    private static void expectEquals(String key, Object actual, Object expected) {
        if (!actual.equals(expected)) {
            throw new IllegalArgumentException(key + " is " + actual + " but the format fixes it to " + expected);
        }
    }

    /** Rebuilds the exporter's initializers and nodes (OnnxExporter.GraphWriter) from the architecture. */
    private void build(ModelInfo info) {
        int directions = info.directions();
        int hidden = info.hiddenSize();
        String cell = info.cell().wireName();
        int gates = switch (cell) {
            case "lstm" -> 4;
            case "gru" -> 3;
            default -> 1;
        };
        String x = info.inputKind().wireName();
        if (info.isTokenInput()) {
            initializers.put("embedding_weight", new ExpectedTensor(FLOAT,
                    new long[] {info.inputSize(), info.embeddingSize()}, null));
            x = node("Gather", "embedding", List.of("embedding_weight", x), Map.of("axis", 0L));
        }
        String layerInput = node("Transpose", "input_sequence_major", List.of(x), Map.of("perm", new long[] {1, 0, 2}));
        List<String> finalH = new ArrayList<>();
        List<String> finalC = new ArrayList<>();
        String topY = null;
        for (int l = 0; l < info.layers(); l++) {
            String p = "layer" + l;
            long in = l == 0 ? (info.isTokenInput() ? info.embeddingSize() : info.inputSize()) : (long) directions * hidden;
            long rows = (long) gates * hidden;
            initializers.put(p + "_W", new ExpectedTensor(FLOAT, new long[] {directions, rows, in}, null));
            initializers.put(p + "_R", new ExpectedTensor(FLOAT, new long[] {directions, rows, hidden}, null));
            initializers.put(p + "_B", new ExpectedTensor(FLOAT, new long[] {directions, 2 * rows}, null));
            initializers.put(p + "_state_start", ints((long) l * directions));
            initializers.put(p + "_state_end", ints((long) (l + 1) * directions));
            initializers.put(p + "_state_axis", ints(0));
            List<String> slice = List.of(p + "_state_start", p + "_state_end", p + "_state_axis");
            String h = node("Slice", p + "_initial_h", concat("h0", slice), Map.of());
            String lengths = info.formatVersion() >= 2 ? ModelFormat.SEQUENCE_LENGTHS_INPUT : "";
            List<String> inputs = new ArrayList<>(List.of(layerInput, p + "_W", p + "_R", p + "_B", lengths, h));
            if (info.hasCellState()) {
                inputs.add(node("Slice", p + "_initial_c", concat("c0", slice), Map.of()));
            }
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("hidden_size", (long) hidden);
            attributes.put("direction", directions == 2 ? "bidirectional" : "forward");
            attributes.put("layout", 0L);
            String op = switch (cell) {
                case "lstm" -> "LSTM";
                case "gru" -> "GRU";
                default -> "RNN";
            };
            if (op.equals("RNN")) {
                attributes.put("activations", Collections.nCopies(directions, cell.equals("rnn_relu") ? "Relu" : "Tanh"));
            } else if (op.equals("GRU")) {
                attributes.put("linear_before_reset", 1L);
            }
            String name = p + "_" + cell;
            List<String> outputs = new ArrayList<>(List.of(name + "_Y", name + "_Y_h"));
            if (op.equals("LSTM")) {
                outputs.add(name + "_Y_c");
                finalC.add(name + "_Y_c");
            }
            nodes.add(new ExpectedNode(op, inputs, outputs, attributes));
            finalH.add(name + "_Y_h");
            topY = name + "_Y";
            if (l + 1 < info.layers()) {
                String stacked = node("Transpose", p + "_directions_last", List.of(topY),
                        Map.of("perm", new long[] {0, 2, 1, 3}));
                layerInput = reshape("layer" + (l + 1) + "_input", stacked, 0, 0, -1);
            }
        }
        String headInput;
        if (info.isPerStep()) {
            String batchMajor = node("Transpose", "top_batch_first", List.of(topY), Map.of("perm", new long[] {2, 0, 1, 3}));
            headInput = reshape("head_input", batchMajor, 0, 0, -1);
        } else {
            String batchMajor = node("Transpose", "top_final_batch_first", List.of(finalH.get(finalH.size() - 1)),
                    Map.of("perm", new long[] {1, 0, 2}));
            headInput = reshape("head_input", batchMajor, 0, -1);
        }
        initializers.put("head_weight_transposed", new ExpectedTensor(FLOAT,
                new long[] {(long) directions * hidden, info.outputSize()}, null));
        initializers.put("head_bias", new ExpectedTensor(FLOAT, new long[] {info.outputSize()}, null));
        String logits = node("MatMul", "head_matmul", List.of(headInput, "head_weight_transposed"), Map.of());
        node("Add", "output", List.of(logits, "head_bias"), Map.of());
        states("hn", finalH);
        if (info.hasCellState()) {
            states("cn", finalC);
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static ExpectedTensor ints(long... values) {
        return new ExpectedTensor(INT64, new long[] {values.length}, values);
    }

    private void states(String name, List<String> perLayer) {
        if (perLayer.size() == 1) {
            node("Identity", name, perLayer, Map.of());
        } else {
            node("Concat", name, perLayer, Map.of("axis", 0L));
        }
    }

    private String reshape(String label, String value, long... shape) {
        initializers.put(label + "_shape", ints(shape));
        return node("Reshape", label, List.of(value, label + "_shape"), Map.of());
    }

    /** A single-output node whose output value is named as the node. */
    private String node(String op, String name, List<String> inputs, Map<String, Object> attributes) {
        nodes.add(new ExpectedNode(op, inputs, List.of(name), attributes));
        return name;
    }

    private void compareInitializers(Graph g, ProtoWire wire) {
        Map<String, Tensor> actual = new LinkedHashMap<>();
        for (Tensor t : g.initializers()) {
            actual.put(t.name(), t);
        }
        if (!actual.keySet().equals(initializers.keySet())) {
            TreeSet<String> missing = new TreeSet<>(initializers.keySet());
            missing.removeAll(actual.keySet());
            TreeSet<String> extra = new TreeSet<>(actual.keySet());
            extra.removeAll(initializers.keySet());
            throw new IllegalArgumentException("the initializers differ from the metadata's architecture: missing "
                    + missing + ", unexpected " + extra);
        }
        for (Map.Entry<String, ExpectedTensor> e : initializers.entrySet()) {
            Tensor t = actual.get(e.getKey());
            ExpectedTensor want = e.getValue();
            if (t.dataType() != want.type() || !Arrays.equals(t.dims(), want.dims())) {
                throw new IllegalArgumentException("initializer '" + e.getKey() + "' is " + TensorData.name(t.dataType())
                        + " " + Arrays.toString(t.dims()) + " but the metadata's architecture needs "
                        + TensorData.name(want.type()) + " " + Arrays.toString(want.dims()));
            }
            if (want.values() != null) {
                long[] values = TensorData.integers(wire, t, want.values().length);
                if (!Arrays.equals(values, want.values())) {
                    throw new IllegalArgumentException("initializer '" + e.getKey() + "' holds "
                            + Arrays.toString(values) + " but the exporter writes " + Arrays.toString(want.values()));
                }
            }
        }
    }

    private void compareNodes(Graph g) {
        List<Node> actual = g.nodes();
        for (int i = 0; i < Math.max(actual.size(), nodes.size()); i++) {
            if (i >= actual.size()) {
                throw new IllegalArgumentException("the graph ends after " + actual.size() + " nodes; the metadata's"
                        + " architecture needs " + nodes.size() + " (next: " + nodes.get(i).opType() + " producing "
                        + nodes.get(i).outputs() + ")");
            }
            Node n = actual.get(i);
            String where = "node " + i + " ('" + n.name() + "', " + n.opType() + ")";
            if (i >= nodes.size()) {
                throw new IllegalArgumentException(where + " is one more than the " + nodes.size()
                        + " nodes the metadata's architecture needs");
            }
            ExpectedNode want = nodes.get(i);
            if (!n.opType().equals(want.opType()) || !n.domain().isEmpty()) {
                throw new IllegalArgumentException(where + ": expected operator " + want.opType()
                        + " in the default domain but got " + OnnxModelValidator.operatorKey(n));
            }
            if (!n.inputs().equals(want.inputs()) || !n.outputs().equals(want.outputs())) {
                throw new IllegalArgumentException(where + ": inputs " + n.inputs() + " → outputs " + n.outputs()
                        + " but the exporter writes " + want.inputs() + " → " + want.outputs());
            }
            compareAttributes(where, n.attributes(), want.attributes());
        }
    }

    private static void compareAttributes(String where, List<Attribute> actual, Map<String, Object> expected) {
        if (actual.size() != expected.size()) {
            List<String> names = new ArrayList<>();
            actual.forEach(a -> names.add(a.name()));
            throw new IllegalArgumentException(where + ": attributes " + names + " but the exporter writes "
                    + expected.keySet());
        }
        for (Attribute a : actual) {
            Object want = expected.get(a.name());
            boolean same = (want instanceof Long l ? a.type() == INT && a.hasI() && a.i() == l : !a.hasI())
                    && (want instanceof String str ? a.type() == STRING && str.equals(a.s()) : a.s() == null)
                    && (want instanceof long[] ints ? a.type() == INTS && Arrays.equals(ints, a.ints())
                    : a.ints().length == 0)
                    && (want instanceof List<?> strings ? a.type() == STRINGS && strings.equals(a.strings())
                    : a.strings().isEmpty());
            if (want == null || !same || a.refAttrName() != null || !a.tensors().isEmpty() || !a.graphs().isEmpty()
                    || !a.sparseTensors().isEmpty() || a.floats() > 0 || a.hasF()) {
                throw new IllegalArgumentException(where + ": attribute '" + a.name() + "' differs from the exporter's "
                        + (want instanceof long[] w ? Arrays.toString(w) : want == null ? "(none)" : want));
            }
        }
    }
}
