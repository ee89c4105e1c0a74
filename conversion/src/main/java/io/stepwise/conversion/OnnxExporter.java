package io.stepwise.conversion;

import io.stepwise.conversion.OnnxGraphBuilder.Dim;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.OperatorSetIdProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto.DataType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a recurrent network as a standard ONNX model: one {@code RNN}/{@code LSTM}/{@code GRU} node per layer,
 * batch-first dynamic axes, explicit state inputs and outputs, and the Stepwise metadata. See
 * docs/model-format.md for the interface and keys.
 *
 * <pre>{@code
 * OnnxExporter exporter = OnnxExporter.builder().build();          // opset 17, IR version 8
 * exporter.write(spec, weights, metadata, Path.of("model.onnx")); // validated, written atomically
 * }</pre>
 */
public final class OnnxExporter {
    /** Default operator set: 17, loadable by ONNX Runtime ≥ 1.13 and most tools. */
    public static final int DEFAULT_OPSET = 17;
    /** Default IR version: 8, matching opset 17. */
    public static final int DEFAULT_IR_VERSION = 8;
    /** Value of the {@code stepwise.format} metadata key written by this exporter. */
    public static final int FORMAT_VERSION = 1;
    /** ONNX {@code producer_name} of every exported model. */
    public static final String PRODUCER_NAME = "stepwise";
    /** Graph input and output names and dynamic axis names; see docs/model-format.md. */
    public static final String H0 = "h0";
    public static final String C0 = "c0";
    public static final String HN = "hn";
    public static final String CN = "cn";
    public static final String OUTPUT = "output";
    public static final String BATCH = "batch";
    public static final String SEQUENCE = "sequence";

    /** Initializer names of the weights; {@link OnnxModelReader} finds the weights by them. */
    static final String EMBEDDING_INITIALIZER = "embedding_weight";
    static final String HEAD_WEIGHT_INITIALIZER = "head_weight_transposed";
    static final String HEAD_BIAS_INITIALIZER = "head_bias";

    /** Written as producer_version when the jar manifest carries no Implementation-Version (e.g. in tests). */
    private static final String FALLBACK_VERSION = "0.1.0";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int opset;
    private final int irVersion;

    private OnnxExporter(Builder b) {
        this.opset = b.opset;
        this.irVersion = b.irVersion;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int opset() {
        return opset;
    }

    public int irVersion() {
        return irVersion;
    }

    /**
     * Builds the ONNX model.
     *
     * <p>Graph, per layer {@code l} of {@code L} ({@code D} directions): the input ({@code tokens} through a
     * {@code Gather} on the embedding, or {@code features}) is transposed to sequence-major, then each layer is one
     * {@code RNN}/{@code LSTM}/{@code GRU} node (layout 0, because ONNX Runtime's CPU kernels reject layout 1)
     * whose initial state is rows {@code [l·D, (l+1)·D)} of {@code h0}/{@code c0}; its {@code Y} [sequence, D,
     * batch, H] becomes the next layer's input [sequence, batch, D·H]. {@code hn}/{@code cn} concatenate every
     * layer's {@code Y_h}/{@code Y_c}. The head is {@code MatMul} by the transposed head weight plus {@code Add}.
     *
     * @throws IllegalArgumentException when the weights or metadata do not fit the spec, or a weight is NaN or
     *                                  infinite; the message names the tensor or key
     */
    public ModelProto toModel(NetworkSpec spec, NetworkWeights weights, ModelMetadata metadata) {
        requireArgument(spec, "spec");
        requireArgument(weights, "weights");
        requireArgument(metadata, "metadata");
        weights.validate(spec);
        metadata.validate(spec);
        Map<String, String> properties = metadataProperties(spec, metadata);

        OnnxGraphBuilder graph = new OnnxGraphBuilder(graphName(spec), opset);
        graph.docString(describe(spec));
        new GraphWriter(spec, weights, graph).write();

        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(irVersion)
                .setProducerName(PRODUCER_NAME)
                .setProducerVersion(producerVersion())
                .setModelVersion(1)
                .setDocString("Stepwise model format " + FORMAT_VERSION + ": " + describe(spec))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph.build());
        properties.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    /** The serialized ONNX model; see {@link #toModel}. */
    public byte[] toBytes(NetworkSpec spec, NetworkWeights weights, ModelMetadata metadata) {
        return toModel(spec, weights, metadata).toByteArray();
    }

    /**
     * Validates, builds and writes the model to {@code file} atomically: it is written to a temporary file in the
     * same folder and renamed, so {@code file} is either the old content or the whole new model, never a part.
     * Missing parent folders are created. Nothing is written when validation fails, and the temporary file is
     * removed when writing or renaming fails.
     *
     * @throws IllegalArgumentException as {@link #toModel}
     * @throws IOException              when the file cannot be written or moved into place (the file system must
     *                                  support atomic moves within a folder)
     */
    public void write(NetworkSpec spec, NetworkWeights weights, ModelMetadata metadata, Path file)
            throws IOException {
        requireArgument(file, "file");
        byte[] bytes = toBytes(spec, weights, metadata);
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        if (folder == null || target.getFileName() == null) {
            throw new IllegalArgumentException("file: expected a file path but got '" + file + "'");
        }
        Files.createDirectories(folder);
        // Same folder as the target so that the final move is a rename on one file system; a dot name keeps a
        // leftover from a crash out of plain listings. Created with default permissions, unlike createTempFile.
        Path temp = folder.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                out.write(bytes);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * The structural metadata keys derived from {@code spec} (see docs/model-format.md), in a fixed order:
     * {@code stepwise.format}, {@code cell}, {@code layers}, {@code hidden_size}, {@code bidirectional},
     * {@code input_kind}, {@code input_size}, {@code embedding_size} (tokens only), {@code head},
     * {@code output_size}, {@code input_name}, {@code output_name}, {@code state_inputs}, {@code state_outputs}.
     */
    public static Map<String, String> structuralMetadata(NetworkSpec spec) {
        requireArgument(spec, "spec");
        String p = ModelMetadata.PREFIX;
        Map<String, String> m = new LinkedHashMap<>();
        m.put(p + "format", Integer.toString(FORMAT_VERSION));
        m.put(p + "cell", spec.cell().id());
        m.put(p + "layers", Integer.toString(spec.layers()));
        m.put(p + "hidden_size", Integer.toString(spec.hiddenSize()));
        m.put(p + "bidirectional", Boolean.toString(spec.bidirectional()));
        m.put(p + "input_kind", spec.inputKind().id());
        m.put(p + "input_size", Integer.toString(spec.inputSize()));
        if (spec.inputKind() == InputKind.TOKENS) {
            m.put(p + "embedding_size", Integer.toString(spec.embeddingSize()));
        }
        m.put(p + "head", spec.head().id());
        m.put(p + "output_size", Integer.toString(spec.outputSize()));
        m.put(p + "input_name", spec.inputKind().id());
        m.put(p + "output_name", OUTPUT);
        m.put(p + "state_inputs", Json.write(stateNames(spec, H0, C0)));
        m.put(p + "state_outputs", Json.write(stateNames(spec, HN, CN)));
        return Collections.unmodifiableMap(m);
    }

    private static Map<String, String> metadataProperties(NetworkSpec spec, ModelMetadata metadata) {
        Map<String, String> all = new LinkedHashMap<>(structuralMetadata(spec));
        for (Map.Entry<String, String> e : metadata.toProperties().entrySet()) {
            String previous = all.putIfAbsent(e.getKey(), e.getValue());
            if (previous != null && !previous.equals(e.getValue())) {
                throw new IllegalArgumentException("metadata: key " + e.getKey() + " is derived from the network as '"
                        + previous + "' but the metadata sets it to '" + e.getValue() + "'");
            }
        }
        return all;
    }

    /** Name of layer {@code layer}'s ONNX {@code W}, {@code R} or {@code B} initializer (all directions). */
    static String layerInitializer(int layer, String tensor) {
        return "layer" + layer + "_" + tensor;
    }

    private static List<String> stateNames(NetworkSpec spec, String h, String c) {
        return spec.cell().hasCellState() ? List.of(h, c) : List.of(h);
    }

    private static String graphName(NetworkSpec spec) {
        return "stepwise_" + spec.cell().id();
    }

    private static String describe(NetworkSpec spec) {
        String input = spec.inputKind() == InputKind.TOKENS
                ? "tokens (vocabulary " + spec.inputSize() + ", embedding " + spec.embeddingSize() + ")"
                : "features (" + spec.inputSize() + ")";
        return spec.layers() + "-layer " + (spec.bidirectional() ? "bidirectional " : "") + spec.cell().id()
                + ", hidden size " + spec.hiddenSize() + ", input " + input + ", head " + spec.head().id()
                + " with " + spec.outputSize() + " outputs";
    }

    private static String producerVersion() {
        String version = OnnxExporter.class.getPackage().getImplementationVersion();
        return version == null || version.isBlank() ? FALLBACK_VERSION : version;
    }

    private static void requireArgument(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": required but was null");
        }
    }

    /** Writes the nodes of one network into a graph; one instance per export. */
    private static final class GraphWriter {
        private final NetworkSpec spec;
        private final NetworkWeights weights;
        private final OnnxGraphBuilder graph;
        private final int directions;
        private final int hidden;

        GraphWriter(NetworkSpec spec, NetworkWeights weights, OnnxGraphBuilder graph) {
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
                OnnxGraphBuilder.Node layer = recurrentLayer(l, layerInput, h0, c0);
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

        private OnnxGraphBuilder.Node recurrentLayer(int l, String x, String h0, String c0) {
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

            List<String> inputs = new ArrayList<>(List.of(x, wName, rName, bName, OnnxGraphBuilder.OMITTED,
                    initialH));
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

    /** Builder; every setting is optional. */
    public static final class Builder {
        private int opset = DEFAULT_OPSET;
        private int irVersion = DEFAULT_IR_VERSION;

        private Builder() {
        }

        /** ONNX default-domain operator set version. */
        public Builder optOpset(int opset) {
            this.opset = opset;
            return this;
        }

        /** ONNX IR version written to the model. */
        public Builder optIrVersion(int irVersion) {
            this.irVersion = irVersion;
            return this;
        }

        public OnnxExporter build() {
            if (opset < 14 || opset > 21) {
                throw new IllegalArgumentException("opset: expected 14..21 but got " + opset);
            }
            if (irVersion < 7 || irVersion > 10) {
                throw new IllegalArgumentException("irVersion: expected 7..10 but got " + irVersion);
            }
            int minimumIr = minimumIrVersion(opset);
            if (irVersion < minimumIr) {
                throw new IllegalArgumentException("irVersion: opset " + opset + " needs IR version ≥ " + minimumIr
                        + " but got " + irVersion);
            }
            return new OnnxExporter(this);
        }

        /** The IR version that introduced each opset (onnx/helper.py VERSION_TABLE). */
        private static int minimumIrVersion(int opset) {
            if (opset <= 14) {
                return 7;
            }
            if (opset <= 18) {
                return 8;
            }
            return opset <= 20 ? 9 : 10;
        }
    }
}
