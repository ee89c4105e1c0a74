package io.stepwise.runtime;

import io.stepwise.runtime.OnnxModelParser.Attribute;
import io.stepwise.runtime.OnnxModelParser.Entry;
import io.stepwise.runtime.OnnxModelParser.Graph;
import io.stepwise.runtime.OnnxModelParser.Model;
import io.stepwise.runtime.OnnxModelParser.Node;
import io.stepwise.runtime.OnnxModelParser.SparseTensor;
import io.stepwise.runtime.OnnxModelParser.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a model's bytes before ONNX Runtime reads them, so that no file can crash the JVM, allocate without
 * bound or run forever in session creation or in a step because of what it declares. Rules, each refused with a
 * {@link ModelValidationException} naming the tensor, node or key and what differs:
 * <ul>
 *   <li>The bytes are well-formed protobuf and an ONNX model (IR version, graph); singular fields occur once.</li>
 *   <li>Every tensor — initializers, sparse initializers, tensors in node attributes ({@code Constant}'s
 *       {@code value}/{@code sparse_value}, any {@code t}/{@code tensors}), in subgraphs ({@code g}/{@code graphs},
 *       recursively), functions and training graphs — has a known data type, non-negative dimensions, at most
 *       {@link ModelLimits#maxRank()} of them, an element count and byte size within the limits, and exactly the
 *       data its type and shape declare: {@code raw_data} bytes, or entries of the one typed field for its type
 *       (packed or not), or external data whose declared length fits. Floating-point tensors are finite.</li>
 *   <li>Nodes, subgraph depth, metadata entries and bytes, names and strings are within the limits; metadata keys
 *       are unique.</li>
 *   <li>A constant that sizes an output or a loop — the shape of {@code ConstantOfShape}, {@code Expand},
 *       {@code Reshape}, the repeats of {@code Tile}, the bounds of {@code Range}, the depth of {@code OneHot},
 *       the sizes of {@code Resize}, the pads of {@code Pad}, the {@code shape} of the random generators, the trip
 *       count of {@code Loop}, the {@code hidden_size} of the recurrent cells — is within the limits.</li>
 *   <li>{@link Format#FOREIGN} (bound by a {@link ModelSignature}): every operator, in every graph, is in
 *       {@link ModelLimits#allowedOperators()}.</li>
 *   <li>{@link Format#STEPWISE}: the graph is exactly what the Stepwise exporter writes for the architecture its
 *       metadata states ({@link StepwiseFormatCheck}).</li>
 * </ul>
 * The check reads the bytes once and copies no tensor data; it takes milliseconds for the default models.
 */
final class OnnxModelValidator {
    /** Which rules the graph follows. */
    enum Format {
        /** Written by the Stepwise exporter: its exact structure is required. */
        STEPWISE,
        /** From another tool, bound by a {@link ModelSignature}: operators from the allow-list. */
        FOREIGN
    }

    /** What a valid model declares. */
    record Result(Map<String, String> metadata, Set<String> operators, long tensorBytes) {
    }

    /** Largest integer tensor kept as a possible shape or count constant. */
    private static final int MAX_CONSTANT_ELEMENTS = 64;

    private final ProtoWire wire;
    private final ModelLimits limits;
    private final Format format;
    private final boolean finite;
    private final Map<String, long[]> constants = new HashMap<>();
    private final List<Located> nodes = new ArrayList<>();
    private final Set<String> operators = new LinkedHashSet<>();
    private long tensorBytes;

    /** A node with a description of where it is, for messages. */
    private record Located(Node node, String where) {
    }

    private OnnxModelValidator(ProtoWire wire, ModelLimits limits, Format format) {
        this.wire = wire;
        this.limits = limits;
        this.format = format;
        this.finite = format == Format.STEPWISE || limits.finiteWeights();
    }

    /**
     * Validates a model held in an array.
     *
     * @see #validate(ByteBuffer, ModelLimits, Format)
     */
    static Result validate(byte[] model, ModelLimits limits, Format format) {
        Objects.requireNonNull(model, "model");
        return validate(ByteBuffer.wrap(model), limits, format);
    }

    /**
     * Validates a model: the bytes from {@code model}'s position to its limit, e.g. a model file's read-only memory
     * map, which is read in place (absolute reads; the buffer's position is not changed).
     *
     * @param model  the model file's bytes
     * @param limits the bounds to enforce
     * @param format {@link Format#STEPWISE} for a file loaded without a signature, {@link Format#FOREIGN} for one
     *               bound by a {@link ModelSignature}
     * @return the metadata, operators and tensor bytes of the valid model
     * @throws ModelValidationException naming the tensor, node or key and what differs
     */
    static Result validate(ByteBuffer model, ModelLimits limits, Format format) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(format, "format");
        int length = model.remaining();
        if (length == 0) {
            throw new ModelValidationException("the file is empty");
        }
        if (length > limits.maxModelBytes()) {
            throw new ModelValidationException("the model has " + length + " bytes; the limit is "
                    + limits.maxModelBytes() + " (ModelLimits.maxModelBytes)");
        }
        ProtoWire wire = new ProtoWire(model);
        Model parsed;
        try {
            parsed = OnnxModelParser.parse(wire, limits);
        } catch (IllegalArgumentException e) {
            throw new ModelValidationException("not a valid ONNX model (" + e.getMessage() + "); the file may be"
                    + " truncated, corrupt, or not a model at all");
        }
        return new OnnxModelValidator(wire, limits, format).check(parsed);
    }

    private Result check(Model model) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Entry e : model.metadata()) {
            if (metadata.put(e.key(), e.value()) != null) {
                throw new ModelValidationException("metadata key '" + e.key() + "' occurs twice; keys must be unique");
            }
        }
        graph(model.graph(), "graph");
        for (OnnxModelParser.Function f : model.functions()) {
            for (int i = 0; i < f.nodes().size(); i++) {
                node(f.nodes().get(i), "function '" + f.name() + "' node " + describe(f.nodes().get(i), i));
            }
        }
        for (Graph g : model.trainingGraphs()) {
            graph(g, "training graph '" + g.name() + "'");
        }
        if (format == Format.FOREIGN) {
            for (Located n : nodes) {
                String op = operatorKey(n.node());
                if (!limits.allowedOperators().contains(op)) {
                    throw new ModelValidationException(n.where() + " uses operator '" + op + "', which is not in the"
                            + " allowed operators of a signature-bound model (ModelLimits.allowedOperators); if you"
                            + " trust this model, allow it with ModelLimits.builder().optAllowOperators(\"" + op
                            + "\")");
                }
            }
        }
        for (Located n : nodes) {
            sizing(n.node(), n.where());
        }
        if (format == Format.STEPWISE) {
            try {
                StepwiseFormatCheck.check(model, wire, metadata);
            } catch (IllegalArgumentException e) {
                throw new ModelValidationException("not a Stepwise model as the exporter writes it: " + e.getMessage());
            }
        }
        return new Result(Collections.unmodifiableMap(metadata), Collections.unmodifiableSet(operators), tensorBytes);
    }

    /** {@code OpType} in the default domain, {@code domain:OpType} elsewhere. */
    static String operatorKey(Node node) {
        String d = node.domain();
        return d.isEmpty() || d.equals("ai.onnx") ? node.opType() : d + ":" + node.opType();
    }

    private static String describe(Node node, int index) {
        return (node.name().isEmpty() ? "#" + index : "'" + node.name() + "'") + " (" + node.opType() + ")";
    }

    private void graph(Graph g, String where) {
        Set<String> names = new HashSet<>();
        for (Tensor t : g.initializers()) {
            if (!names.add(t.name())) {
                throw new ModelValidationException(where + ": initializer '" + t.name() + "' is defined twice");
            }
            long count = tensor(t, where + " initializer '" + t.name() + "'");
            constant(t.name(), t, count);
        }
        for (SparseTensor s : g.sparseInitializers()) {
            sparse(s, where + " sparse initializer");
        }
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            node(n, (g.depth() == 0 ? "node " : where + " node ") + describe(n, i));
        }
    }

    private void node(Node n, String where) {
        nodes.add(new Located(n, where));
        operators.add(operatorKey(n));
        Set<String> names = new HashSet<>();
        for (Attribute a : n.attributes()) {
            if (!names.add(a.name())) {
                throw new ModelValidationException(where + ": attribute '" + a.name() + "' occurs twice");
            }
            String at = where + " attribute '" + a.name() + "'";
            for (Tensor t : a.tensors()) {
                long count = tensor(t, at);
                if (n.opType().equals("Constant") && a.name().equals("value") && n.outputs().size() == 1) {
                    constant(n.outputs().get(0), t, count);
                }
            }
            for (SparseTensor s : a.sparseTensors()) {
                sparse(s, at);
            }
            for (Graph g : a.graphs()) {
                graph(g, "subgraph " + at + " of " + where);
            }
            if (n.opType().equals("Constant") && n.outputs().size() == 1) {
                if (a.name().equals("value_int") && a.hasI()) {
                    constants.put(n.outputs().get(0), new long[] {a.i()});
                } else if (a.name().equals("value_ints")) {
                    constants.put(n.outputs().get(0), a.ints());
                }
            }
        }
    }

    private void constant(String name, Tensor t, long count) {
        if (count <= MAX_CONSTANT_ELEMENTS) {
            long[] values = TensorData.integers(wire, t, count);
            if (values != null) {
                constants.put(name, values);
            }
        }
    }

    /** Checks one tensor; returns its element count. */
    private long tensor(Tensor t, String where) {
        int type = t.dataType();
        if (!TensorData.known(type)) {
            throw new ModelValidationException(where + ": data_type " + type + " is not a type ONNX Runtime knows"
                    + " (expected 1.." + TensorData.LAST_KNOWN + ")");
        }
        if (t.segment()) {
            throw new ModelValidationException(where + ": segmented tensors are not supported");
        }
        long count = shape(t.dims(), where);
        long bytes = type == TensorData.STRING ? 0 : TensorData.rawBytes(type, count);
        if (bytes < 0 || bytes > limits.maxTensorBytes()) {
            throw new ModelValidationException(where + ": " + TensorData.name(type) + " " + Arrays.toString(t.dims())
                    + " takes " + (bytes < 0 ? "more than 2^63" : bytes) + " bytes; the limit is "
                    + limits.maxTensorBytes() + " (ModelLimits.maxTensorBytes)");
        }
        tensorBytes += bytes;
        if (tensorBytes > limits.maxTotalTensorBytes()) {
            throw new ModelValidationException(where + ": the model's tensors exceed " + limits.maxTotalTensorBytes()
                    + " bytes together (ModelLimits.maxTotalTensorBytes)");
        }
        String declared = TensorData.name(type) + " " + Arrays.toString(t.dims());
        if (t.dataLocation() != 0 && t.dataLocation() != 1) {
            throw new ModelValidationException(where + ": data_location " + t.dataLocation() + " is neither DEFAULT (0)"
                    + " nor EXTERNAL (1)");
        }
        if (t.dataLocation() == 1) {
            external(t, where, declared, bytes);
            return count;
        }
        if (!t.externalData().isEmpty()) {
            throw new ModelValidationException(where + ": has external_data entries but data_location is not EXTERNAL");
        }
        if (type == TensorData.STRING) {
            if (t.hasRaw() || !t.typed().isEmpty() || t.strings() != count) {
                throw new ModelValidationException(where + ": " + declared + " needs " + count + " string_data entries"
                        + " but has " + t.strings() + (t.hasRaw() || !t.typed().isEmpty() ? " and other data" : ""));
            }
            return count;
        }
        if (t.strings() > 0) {
            throw new ModelValidationException(where + ": a " + TensorData.name(type) + " tensor has string_data");
        }
        if (t.hasRaw()) {
            if (!t.typed().isEmpty()) {
                throw new ModelValidationException(where + ": has both raw_data and "
                        + TensorData.fieldName(t.typed().get(0).field()) + "; a tensor keeps its data in one of them");
            }
            long length = t.rawEnd() - t.rawStart();
            if (length != bytes) {
                throw new ModelValidationException(where + ": raw_data holds " + length + " bytes but " + declared
                        + " needs " + bytes);
            }
        } else {
            int field = TensorData.typedField(type);
            for (OnnxModelParser.Chunk c : t.typed()) {
                if (c.field() != field) {
                    throw new ModelValidationException(where + ": " + TensorData.fieldName(c.field()) + " cannot hold "
                            + TensorData.name(type) + " data (it belongs in " + TensorData.fieldName(field)
                            + " or raw_data)");
                }
            }
            long entries = TensorData.typedCount(wire, t);
            long needed = TensorData.typedEntries(type, count);
            if (entries != needed) {
                throw new ModelValidationException(where + ": " + (t.typed().isEmpty() && entries == 0
                        ? "has no data" : TensorData.fieldName(field) + " holds " + entries + " values")
                        + " but " + declared + " needs " + needed + " " + TensorData.fieldName(field) + " values");
            }
        }
        if (finite) {
            long bad = TensorData.firstNonFinite(wire, t);
            if (bad >= 0) {
                throw new ModelValidationException(where + ": element " + bad + " is NaN or infinite; weights and"
                        + " constants must be finite" + (format == Format.FOREIGN
                        ? " (ModelLimits.finiteWeights)" : ""));
            }
        }
        return count;
    }

    /** Checks rank, dimensions and element count; returns the count. */
    private long shape(long[] dims, String where) {
        if (dims.length > limits.maxRank()) {
            throw new ModelValidationException(where + ": " + dims.length + " dimensions; the limit is "
                    + limits.maxRank() + " (ModelLimits.maxRank)");
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new ModelValidationException(where + ": dimension " + i + " is " + dims[i]
                        + "; dimensions must be ≥ 0");
            }
        }
        long count = TensorData.elementCount(dims);
        if (count < 0 || count > limits.maxTensorElements()) {
            throw new ModelValidationException(where + ": shape " + Arrays.toString(dims) + " holds "
                    + (count < 0 ? "more than 2^63" : count) + " elements; the limit is " + limits.maxTensorElements()
                    + " (ModelLimits.maxTensorElements)");
        }
        return count;
    }

    private void external(Tensor t, String where, String declared, long bytes) {
        if (t.hasRaw() || !t.typed().isEmpty() || t.strings() > 0) {
            throw new ModelValidationException(where + ": is stored as external data but also holds data in the file");
        }
        if (t.dataType() == TensorData.STRING) {
            throw new ModelValidationException(where + ": a STRING tensor cannot be stored as external data");
        }
        boolean located = false;
        for (Entry e : t.externalData()) {
            switch (e.key()) {
                case "location" -> located = !e.value().isEmpty();
                case "offset", "length" -> {
                    long v;
                    try {
                        v = Long.parseLong(e.value());
                    } catch (NumberFormatException x) {
                        throw new ModelValidationException(where + ": external data " + e.key() + " '" + e.value()
                                + "' is not a number");
                    }
                    if (v < 0 || e.key().equals("length") && v != bytes) {
                        throw new ModelValidationException(where + ": external data " + e.key() + " is " + v
                                + (e.key().equals("length") ? " but " + declared + " needs " + bytes : "; expected ≥ 0"));
                    }
                }
                default -> { }
            }
        }
        if (!located) {
            throw new ModelValidationException(where + ": is stored as external data but names no location");
        }
    }

    private void sparse(SparseTensor s, String where) {
        if (s.values() == null || s.indices() == null) {
            throw new ModelValidationException(where + ": a sparse tensor needs both values and indices");
        }
        long dense = shape(s.dims(), where + " (dense shape)");
        long denseBytes = TensorData.rawBytes(s.values().dataType(), dense);
        if (denseBytes < 0 || denseBytes > limits.maxTensorBytes()) {
            throw new ModelValidationException(where + ": the dense shape " + Arrays.toString(s.dims()) + " takes "
                    + denseBytes + " bytes; the limit is " + limits.maxTensorBytes() + " (ModelLimits.maxTensorBytes)");
        }
        long nnz = tensor(s.values(), where + " values");
        long indices = tensor(s.indices(), where + " indices");
        if (s.values().dims().length != 1 || s.indices().dataType() != TensorData.INT64
                || (indices != nnz && indices != nnz * s.dims().length) || nnz > dense) {
            throw new ModelValidationException(where + ": values " + Arrays.toString(s.values().dims()) + " and "
                    + TensorData.name(s.indices().dataType()) + " indices " + Arrays.toString(s.indices().dims())
                    + " do not describe a sparse tensor of shape " + Arrays.toString(s.dims()));
        }
    }

    /** Bounds the constants that size an operator's output or work; see the class comment. */
    private void sizing(Node n, String where) {
        switch (operatorKey(n)) {
            case "ConstantOfShape" -> product(n, 0, where, "shape");
            case "Expand" -> product(n, 1, where, "shape");
            case "Reshape" -> product(n, 1, where, "shape");
            case "Tile" -> product(n, 1, where, "repeats");
            case "Resize" -> product(n, 3, where, "sizes");
            case "OneHot" -> product(n, 1, where, "depth");
            case "Pad" -> {
                long[] pads = input(n, 1);
                if (pads != null) {
                    long sum = 0;
                    for (long p : pads) {
                        sum += Math.min(Math.abs(p), limits.maxTensorElements() + 1);
                    }
                    bound(sum, where, "pads add up to");
                }
            }
            case "Range" -> {
                long[] start = input(n, 0);
                long[] limit = input(n, 1);
                long[] delta = input(n, 2);
                if (start != null && limit != null && delta != null && start.length == 1 && limit.length == 1
                        && delta.length == 1) {
                    if (delta[0] == 0) {
                        throw new ModelValidationException(where + ": Range with delta 0 never ends");
                    }
                    double count = Math.ceil(((double) limit[0] - start[0]) / delta[0]);
                    bound(count > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : (long) Math.max(0, count), where,
                            "produces");
                }
            }
            case "RandomNormal", "RandomUniform" -> {
                for (Attribute a : n.attributes()) {
                    if (a.name().equals("shape")) {
                        bound(positiveProduct(a.ints()), where, "attribute 'shape' asks for");
                    }
                }
            }
            case "Loop" -> {
                long[] trips = input(n, 0);
                if (trips == null || trips.length != 1) {
                    throw new ModelValidationException(where + ": a Loop needs a constant trip count (input M) so that"
                            + " its run can be bounded; this one has " + (n.inputs().isEmpty()
                            || n.inputs().get(0).isEmpty() ? "none" : "'" + n.inputs().get(0) + "', not a constant"));
                }
                if (trips[0] < 0 || trips[0] > limits.maxLoopIterations()) {
                    throw new ModelValidationException(where + ": trip count " + trips[0] + " exceeds "
                            + limits.maxLoopIterations() + " (ModelLimits.maxLoopIterations)");
                }
            }
            case "RNN", "LSTM", "GRU" -> {
                Long hidden = null;
                for (Attribute a : n.attributes()) {
                    if (a.name().equals("hidden_size") && a.hasI()) {
                        hidden = a.i();
                    }
                }
                if (hidden == null || hidden < 1 || hidden > limits.maxTensorElements()) {
                    throw new ModelValidationException(where + ": hidden_size " + (hidden == null ? "is missing"
                            : hidden + " is outside [1, " + limits.maxTensorElements() + "]"));
                }
            }
            default -> { }
        }
    }

    private long[] input(Node n, int index) {
        return index < n.inputs().size() ? constants.get(n.inputs().get(index)) : null;
    }

    private void product(Node n, int index, String where, String what) {
        long[] values = input(n, index);
        if (values != null) {
            bound(positiveProduct(values), where, "constant " + what + " " + Arrays.toString(values) + " asks for");
        }
    }

    private static long positiveProduct(long[] values) {
        long p = 1;
        for (long v : values) {
            if (v > 0) {
                p = v > Long.MAX_VALUE / p ? Long.MAX_VALUE : p * v;
            }
        }
        return p;
    }

    private void bound(long elements, String where, String what) {
        if (elements > limits.maxTensorElements()) {
            throw new ModelValidationException(where + ": " + what + " " + elements + " elements; the limit is "
                    + limits.maxTensorElements() + " (ModelLimits.maxTensorElements)");
        }
    }
}
