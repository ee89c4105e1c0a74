package io.stepwise.conversion;

import com.google.protobuf.ByteString;
import io.stepwise.conversion.onnx.OnnxProto.AttributeProto;
import io.stepwise.conversion.onnx.OnnxProto.AttributeProto.AttributeType;
import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.NodeProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorShapeProto;
import io.stepwise.conversion.onnx.OnnxProto.TypeProto;
import io.stepwise.conversion.onnx.OnnxProto.ValueInfoProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds one ONNX graph through a single validated path: every value (graph input, initializer, node output) and
 * every node gets a name that is unique in the graph, every node is checked against its {@link OnnxOperator}
 * description, and every node input must name a value defined before it, so the node list is topologically
 * sorted by construction.
 *
 * <p>Errors here are programming errors in the exporter, not bad user input, hence {@link IllegalStateException}.
 */
final class OnnxGraphBuilder {
    /** Marks an omitted optional node input (ONNX's convention: an empty name). */
    static final String OMITTED = "";

    /** A tensor dimension: a fixed size or a named dynamic axis. */
    sealed interface Dim permits Fixed, Named {
        static Dim of(long size) {
            return new Fixed(size);
        }

        static Dim named(String name) {
            return new Named(name);
        }
    }

    record Fixed(long size) implements Dim {
    }

    record Named(String name) implements Dim {
    }

    /** Output value names of one node, addressable by the operator schema's output names. */
    record Node(OnnxOperator operator, List<String> outputNames) {
        String output(String schemaName) {
            int i = operator.outputs().indexOf(schemaName);
            if (i < 0) {
                throw new IllegalStateException(operator.opType() + " has no output '" + schemaName + "'");
            }
            return outputNames.get(i);
        }

        /** The only output of a single-output operator. */
        String output() {
            if (outputNames.size() != 1) {
                throw new IllegalStateException(operator.opType() + " has " + outputNames.size() + " outputs");
            }
            return outputNames.get(0);
        }
    }

    private final int opset;
    private final Set<String> names = new HashSet<>();
    private final Set<String> values = new HashSet<>();
    private final GraphProto.Builder graph = GraphProto.newBuilder();

    OnnxGraphBuilder(String graphName, int opset) {
        this.opset = opset;
        graph.setName(graphName);
    }

    void docString(String doc) {
        graph.setDocString(doc);
    }

    /** Declares a graph input; its name is used verbatim (it is the model's interface) and must be free. */
    String input(String name, TensorProto.DataType type, Dim... shape) {
        String n = reserveExact(name);
        values.add(n);
        graph.addInput(valueInfo(n, type, shape));
        return n;
    }

    /** Declares an existing value as a graph output, with its type and shape. */
    void output(String value, TensorProto.DataType type, Dim... shape) {
        if (!values.contains(value)) {
            throw new IllegalStateException("graph output '" + value + "' is not produced by any node");
        }
        graph.addOutput(valueInfo(value, type, shape));
    }

    /** Adds a float initializer of the given shape; returns its unique name (derived from {@code base}). */
    String floatInitializer(String base, float[] data, long... dims) {
        checkElementCount(base, data.length, dims);
        ByteBuffer bytes = ByteBuffer.allocate(Float.BYTES * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        return initializer(base, TensorProto.DataType.FLOAT, ByteString.copyFrom(bytes.array()), dims);
    }

    /** Adds a 1-D int64 initializer (shapes, axes, slice bounds); returns its unique name. */
    String longInitializer(String base, long... data) {
        ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(data);
        return initializer(base, TensorProto.DataType.INT64, ByteString.copyFrom(bytes.array()), data.length);
    }

    /**
     * Adds a node. Its name is {@code label} (made unique); a single-output operator's output value is named
     * {@code label} too, so a node labelled {@code "output"} produces the graph output {@code output}; a
     * multi-output operator's outputs are named {@code label_<schema output name>}.
     *
     * @param inputs     value names, {@link #OMITTED} for a skipped optional input (trailing ones may be left out)
     * @param attributes attribute name → Integer/Long (INT), Float (FLOAT), String (STRING), long[] (INTS) or
     *                   List&lt;String&gt; (STRINGS), checked against the operator's description
     */
    Node node(OnnxOperator op, String label, List<String> inputs, Map<String, ?> attributes) {
        Objects.requireNonNull(op, "op");
        if (opset < op.sinceOpset()) {
            throw new IllegalStateException(op.opType() + " is used in its opset " + op.sinceOpset()
                    + " form but the graph targets opset " + opset);
        }
        if (inputs.size() < op.minInputs() || inputs.size() > op.maxInputs()) {
            throw new IllegalStateException(op.opType() + " takes " + op.minInputs() + ".." + op.maxInputs()
                    + " inputs but got " + inputs.size() + ": " + inputs);
        }
        for (int i = 0; i < inputs.size(); i++) {
            String in = inputs.get(i);
            boolean omitted = OMITTED.equals(in);
            if (omitted && i < op.minInputs() || !omitted && !values.contains(in)) {
                throw new IllegalStateException(op.opType() + " input " + i + " '" + in
                        + "' is not a value defined earlier in the graph");
            }
        }
        if (!inputs.isEmpty() && OMITTED.equals(inputs.get(inputs.size() - 1))) {
            throw new IllegalStateException(op.opType() + ": leave trailing omitted inputs out instead of naming them");
        }
        for (OnnxOperator.Attribute declared : op.attributes().values()) {
            if (declared.required() && !attributes.containsKey(declared.name())) {
                throw new IllegalStateException(op.opType() + " requires attribute '" + declared.name() + "'");
            }
        }
        List<AttributeProto> attributeProtos = new ArrayList<>();
        for (Map.Entry<String, ?> e : new TreeMap<>(attributes).entrySet()) {
            OnnxOperator.Attribute declared = op.attributes().get(e.getKey());
            if (declared == null) {
                throw new IllegalStateException(op.opType() + " has no attribute '" + e.getKey() + "'; known: "
                        + new TreeMap<>(op.attributes()).keySet());
            }
            attributeProtos.add(attribute(op, declared, e.getValue()));
        }
        // Names are reserved only once the node is known to be valid, so a rejected node leaves no trace.
        String nodeName = reserveUnique(label);
        List<String> outputs = new ArrayList<>();
        if (op.outputs().size() == 1) {
            outputs.add(nodeName);
        } else {
            for (String schemaName : op.outputs()) {
                outputs.add(reserveUnique(nodeName + "_" + schemaName));
            }
        }
        values.addAll(outputs);
        NodeProto.Builder node = NodeProto.newBuilder().setName(nodeName).setOpType(op.opType())
                .addAllInput(inputs).addAllOutput(outputs).addAllAttribute(attributeProtos);
        graph.addNode(node);
        return new Node(op, List.copyOf(outputs));
    }

    GraphProto build() {
        return graph.build();
    }

    private String initializer(String base, TensorProto.DataType type, ByteString raw, long... dims) {
        String name = reserveUnique(base);
        values.add(name);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(raw);
        for (long d : dims) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        return name;
    }

    private static void checkElementCount(String name, int count, long... dims) {
        long expected = 1;
        for (long d : dims) {
            expected *= d;
        }
        if (expected != count) {
            throw new IllegalStateException("initializer " + name + ": shape " + java.util.Arrays.toString(dims)
                    + " holds " + expected + " values but got " + count);
        }
    }

    private static AttributeProto attribute(OnnxOperator op, OnnxOperator.Attribute declared, Object value) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(declared.name()).setType(declared.type());
        boolean fits = switch (declared.type()) {
            case INT -> value instanceof Integer || value instanceof Long;
            case FLOAT -> value instanceof Float;
            case STRING -> value instanceof String;
            case INTS -> value instanceof long[];
            case STRINGS -> value instanceof List<?> l && l.stream().allMatch(String.class::isInstance);
            default -> false;
        };
        if (!fits) {
            throw new IllegalStateException(op.opType() + " attribute '" + declared.name() + "' must be "
                    + declared.type() + " but got " + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        switch (declared.type()) {
            case INT -> a.setI(((Number) value).longValue());
            case FLOAT -> a.setF((Float) value);
            case STRING -> a.setS(ByteString.copyFromUtf8((String) value));
            case INTS -> {
                for (long v : (long[]) value) {
                    a.addInts(v);
                }
            }
            case STRINGS -> {
                for (Object s : (List<?>) value) {
                    a.addStrings(ByteString.copyFromUtf8((String) s));
                }
            }
            default -> throw new AssertionError(declared.type());
        }
        return a.build();
    }

    private String reserveExact(String name) {
        if (name == null || name.isEmpty() || !names.add(name)) {
            throw new IllegalStateException("name '" + name + "' is empty or already used in the graph");
        }
        return name;
    }

    private String reserveUnique(String base) {
        if (base == null || base.isEmpty()) {
            throw new IllegalStateException("a name base must not be empty");
        }
        String candidate = base;
        for (int i = 1; !names.add(candidate); i++) {
            candidate = base + "_" + i;
        }
        return candidate;
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Dim... shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (Dim d : shape) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Fixed f) {
                dim.setDimValue(f.size());
            } else {
                dim.setDimParam(((Named) d).name());
            }
            s.addDim(dim);
        }
        TypeProto type1 = TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(s))
                .build();
        return ValueInfoProto.newBuilder().setName(name).setType(type1).build();
    }
}
