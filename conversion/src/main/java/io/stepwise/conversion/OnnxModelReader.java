package io.stepwise.conversion;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.NodeProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads a Stepwise model file (docs/model-format.md) back into the {@link NetworkSpec} and {@link NetworkWeights}
 * that {@link OnnxExporter} wrote it from, so that the file can be re-checked against a framework network.
 *
 * <p>The spec comes from the structural metadata keys ({@code stepwise.cell}, {@code layers}, …), which must
 * agree with {@link OnnxExporter#structuralMetadata}; the weights come from the initializers the exporter names
 * ({@code embedding_weight}, {@code layer<l>_W/_R/_B}, {@code head_weight_transposed}, {@code head_bias}), turned
 * back into the PyTorch layout by {@link GateLayout#toPytorchGates} and {@link GateLayout#pytorchBias} and by
 * transposing the head. The graph must hold one {@code RNN}/{@code LSTM}/{@code GRU} node per layer, of the
 * recorded cell, reading those initializers. Reading is exact: exporting the result again gives the same weights.
 *
 * <pre>{@code
 * ExportedNetwork network = OnnxModelReader.read(Path.of("model.onnx"));
 * }</pre>
 */
public final class OnnxModelReader {
    private OnnxModelReader() {
    }

    /**
     * Reads the model file {@code file}.
     *
     * @throws IOException              when the file cannot be read
     * @throws IllegalArgumentException as {@link #read(byte[])}, with the file name in front
     */
    public static ExportedNetwork read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] bytes = Files.readAllBytes(file);
        try {
            return read(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a serialized Stepwise model.
     *
     * @throws IllegalArgumentException when the bytes are not an ONNX model, or not a Stepwise one: a structural
     *                                  metadata key missing or malformed, an initializer missing, of the wrong
     *                                  type or shape, or a recurrent node that does not fit the metadata; the
     *                                  message names the key, tensor or node
     */
    public static ExportedNetwork read(byte[] model) {
        Objects.requireNonNull(model, "model");
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(model);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("model: not an ONNX model (" + e.getMessage() + ")", e);
        }
        return read(proto);
    }

    /** Reads a parsed model; see {@link #read(byte[])}. */
    public static ExportedNetwork read(ModelProto model) {
        Objects.requireNonNull(model, "model");
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        NetworkSpec spec = spec(metadata);
        GraphProto graph = model.getGraph();
        checkRecurrentNodes(spec, graph);
        NetworkWeights weights = weights(spec, graph);
        return new ExportedNetwork(spec, weights, metadata);
    }

    private static NetworkSpec spec(Map<String, String> metadata) {
        String format = required(metadata, MetadataKeys.FORMAT);
        boolean known = false;
        for (int v = MetadataKeys.OLDEST_FORMAT_VERSION; v <= MetadataKeys.FORMAT_VERSION; v++) {
            known |= format.equals(Integer.toString(v));
        }
        if (!known) {
            throw new IllegalArgumentException("model: " + MetadataKeys.FORMAT + " is '" + format
                    + "' but this reader understands formats " + MetadataKeys.OLDEST_FORMAT_VERSION + " to "
                    + MetadataKeys.FORMAT_VERSION);
        }
        CellKind cell;
        try {
            cell = CellKind.fromId(required(metadata, MetadataKeys.CELL));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model: " + MetadataKeys.PREFIX + e.getMessage(), e);
        }
        InputKind inputKind = byId(InputKind.values(), InputKind::id, MetadataKeys.INPUT_KIND,
                required(metadata, MetadataKeys.INPUT_KIND));
        HeadKind head = byId(HeadKind.values(), HeadKind::id, MetadataKeys.HEAD, required(metadata, MetadataKeys.HEAD));
        String bidirectional = required(metadata, MetadataKeys.BIDIRECTIONAL);
        if (!bidirectional.equals("true") && !bidirectional.equals("false")) {
            throw new IllegalArgumentException("model: " + MetadataKeys.BIDIRECTIONAL
                    + ": expected true or false but got '" + bidirectional + "'");
        }
        NetworkSpec spec;
        try {
            spec = new NetworkSpec(cell, integer(metadata, MetadataKeys.LAYERS),
                    integer(metadata, MetadataKeys.HIDDEN_SIZE), Boolean.parseBoolean(bidirectional), inputKind,
                    integer(metadata, MetadataKeys.INPUT_SIZE),
                    inputKind == InputKind.TOKENS ? integer(metadata, MetadataKeys.EMBEDDING_SIZE) : 0, head,
                    integer(metadata, MetadataKeys.OUTPUT_SIZE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model: the structural metadata describe no valid network: "
                    + e.getMessage(), e);
        }
        // The derived keys (input/output/state names) must be what the exporter writes for this spec. The format
        // version is not derived: it was range-checked above, and an older format the reader still understands (a
        // committed format-1 model) is read as it is.
        for (Map.Entry<String, String> e : OnnxExporter.structuralMetadata(spec).entrySet()) {
            if (e.getKey().equals(MetadataKeys.FORMAT)) {
                continue;
            }
            String actual = metadata.get(e.getKey());
            if (!e.getValue().equals(actual)) {
                throw new IllegalArgumentException("model: " + e.getKey() + " is "
                        + (actual == null ? "missing" : "'" + actual + "'") + " but the network needs '"
                        + e.getValue() + "'");
            }
        }
        return spec;
    }

    private static String required(Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        if (value == null) {
            throw new IllegalArgumentException("model: metadata key " + key
                    + " is missing; not a Stepwise model (see docs/model-format.md)");
        }
        return value;
    }

    private static int integer(Map<String, String> metadata, String key) {
        String value = required(metadata, key);
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("model: " + key
                    + ": expected an integer but got '" + value + "'", e);
        }
    }

    private static <T> T byId(T[] values, java.util.function.Function<T, String> id, String key, String value) {
        for (T v : values) {
            if (id.apply(v).equals(value)) {
                return v;
            }
        }
        throw new IllegalArgumentException("model: " + key + ": expected one of "
                + Arrays.stream(values).map(id).toList() + " but got '" + value + "'");
    }

    /** One recurrent node per layer, in order, of the recorded cell, reading that layer's W, R and B. */
    private static void checkRecurrentNodes(NetworkSpec spec, GraphProto graph) {
        String opType = switch (spec.cell()) {
            case RNN_TANH, RNN_RELU -> "RNN";
            case LSTM -> "LSTM";
            case GRU -> "GRU";
        };
        List<NodeProto> nodes = graph.getNodeList().stream()
                .filter(n -> List.of("RNN", "LSTM", "GRU").contains(n.getOpType())).toList();
        if (nodes.size() != spec.layers()) {
            throw new IllegalArgumentException("model: the metadata records " + spec.layers() + " layer(s) but the"
                    + " graph has " + nodes.size() + " recurrent node(s)");
        }
        for (int l = 0; l < nodes.size(); l++) {
            NodeProto node = nodes.get(l);
            List<String> expected = List.of(OnnxExporter.layerInitializer(l, "W"),
                    OnnxExporter.layerInitializer(l, "R"), OnnxExporter.layerInitializer(l, "B"));
            if (!node.getOpType().equals(opType) || node.getInputCount() < 4
                    || !node.getInputList().subList(1, 4).equals(expected)) {
                throw new IllegalArgumentException("model: recurrent node " + l + " ('" + node.getName() + "') is "
                        + node.getOpType() + " reading " + node.getInputList() + "; expected " + opType
                        + " (cell " + spec.cell().id() + ") reading " + expected + " as W, R, B");
            }
        }
    }

    private static NetworkWeights weights(NetworkSpec spec, GraphProto graph) {
        Map<String, TensorProto> initializers = new HashMap<>();
        for (TensorProto t : graph.getInitializerList()) {
            initializers.put(t.getName(), t);
        }
        NetworkWeights.Builder builder = NetworkWeights.builder(spec);
        if (spec.inputKind() == InputKind.TOKENS) {
            builder.setEmbedding(floats(initializers, OnnxExporter.EMBEDDING_INITIALIZER, spec.inputSize(),
                    spec.embeddingSize()));
        }
        CellKind cell = spec.cell();
        int hidden = spec.hiddenSize();
        int directions = spec.directions();
        int rows = cell.gateCount() * hidden;
        for (int l = 0; l < spec.layers(); l++) {
            int in = spec.layerInputSize(l);
            float[] w = floats(initializers, OnnxExporter.layerInitializer(l, "W"), directions, rows, in);
            float[] r = floats(initializers, OnnxExporter.layerInitializer(l, "R"), directions, rows, hidden);
            float[] b = floats(initializers, OnnxExporter.layerInitializer(l, "B"), directions, 2L * rows);
            for (int d = 0; d < directions; d++) {
                GateLayout.PytorchBias bias = GateLayout.pytorchBias(cell,
                        Arrays.copyOfRange(b, d * 2 * rows, (d + 1) * 2 * rows), hidden);
                builder.setLayer(l, d, new LayerWeights(
                        GateLayout.toPytorchGates(cell, Arrays.copyOfRange(w, d * rows * in, (d + 1) * rows * in),
                                hidden),
                        GateLayout.toPytorchGates(cell,
                                Arrays.copyOfRange(r, d * rows * hidden, (d + 1) * rows * hidden), hidden),
                        bias.inputBias(), bias.recurrentBias()));
            }
        }
        float[] headTransposed = floats(initializers, OnnxExporter.HEAD_WEIGHT_INITIALIZER, spec.headInputSize(),
                spec.outputSize());
        builder.setHead(transpose(headTransposed, spec.headInputSize(), spec.outputSize()),
                floats(initializers, OnnxExporter.HEAD_BIAS_INITIALIZER, spec.outputSize()));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model: " + e.getMessage(), e);
        }
    }

    /** The values of a float initializer of exactly {@code dims}, from raw_data or float_data. */
    private static float[] floats(Map<String, TensorProto> initializers, String name, long... dims) {
        TensorProto tensor = initializers.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("model: initializer " + name + " is missing; not a Stepwise model");
        }
        if (tensor.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException("model: initializer " + name + " has data type "
                    + tensor.getDataType() + " but must be FLOAT (" + TensorProto.DataType.FLOAT.getNumber() + ")");
        }
        long[] actualDims = tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
        if (!Arrays.equals(actualDims, dims)) {
            throw new IllegalArgumentException("model: initializer " + name + " has shape "
                    + Arrays.toString(actualDims) + " but the metadata need " + Arrays.toString(dims));
        }
        long count = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        float[] values = new float[Math.toIntExact(count)];
        ByteString raw = tensor.getRawData();
        if (!raw.isEmpty()) {
            if (raw.size() != count * Float.BYTES) {
                throw new IllegalArgumentException("model: initializer " + name + " holds " + raw.size()
                        + " bytes of raw data but shape " + Arrays.toString(dims) + " needs " + count * Float.BYTES);
            }
            FloatBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            buffer.get(values);
        } else {
            if (tensor.getFloatDataCount() != count) {
                throw new IllegalArgumentException("model: initializer " + name + " holds "
                        + tensor.getFloatDataCount() + " values but shape " + Arrays.toString(dims) + " needs "
                        + count);
            }
            for (int i = 0; i < values.length; i++) {
                values[i] = tensor.getFloatData(i);
            }
        }
        return values;
    }

    private static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = m[i * cols + j];
            }
        }
        return t;
    }
}
