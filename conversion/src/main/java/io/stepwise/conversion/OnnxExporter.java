package io.stepwise.conversion;

import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.OperatorSetIdProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
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
    /** Value of the {@code stepwise.format} metadata key written by this exporter ({@link MetadataKeys#FORMAT_VERSION}). */
    public static final int FORMAT_VERSION = MetadataKeys.FORMAT_VERSION;
    /** ONNX {@code producer_name} of every exported model. */
    public static final String PRODUCER_NAME = "stepwise";
    /** Graph input and output names and dynamic axis names; see docs/model-format.md. */
    public static final String H0 = "h0";
    public static final String C0 = "c0";
    public static final String HN = "hn";
    public static final String CN = "cn";
    public static final String OUTPUT = "output";
    /**
     * Graph input (format 2): int32 [batch], each row's number of valid steps, passed to every recurrent node, so
     * that sequences of different lengths share one call; padded steps' outputs are zero and the final states are
     * each row's own.
     */
    public static final String SEQUENCE_LENS = "sequence_lens";
    public static final String BATCH = "batch";
    public static final String SEQUENCE = "sequence";

    /** Initializer names of the weights; {@link OnnxModelReader} finds the weights by them. */
    static final String EMBEDDING_INITIALIZER = "embedding_weight";
    static final String HEAD_WEIGHT_INITIALIZER = "head_weight_transposed";
    static final String HEAD_BIAS_INITIALIZER = "head_bias";

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
        new RecurrentGraphWriter(spec, weights, graph).write();

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
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MetadataKeys.FORMAT, Integer.toString(FORMAT_VERSION));
        m.put(MetadataKeys.CELL, spec.cell().id());
        m.put(MetadataKeys.LAYERS, Integer.toString(spec.layers()));
        m.put(MetadataKeys.HIDDEN_SIZE, Integer.toString(spec.hiddenSize()));
        m.put(MetadataKeys.BIDIRECTIONAL, Boolean.toString(spec.bidirectional()));
        m.put(MetadataKeys.INPUT_KIND, spec.inputKind().id());
        m.put(MetadataKeys.INPUT_SIZE, Integer.toString(spec.inputSize()));
        if (spec.inputKind() == InputKind.TOKENS) {
            m.put(MetadataKeys.EMBEDDING_SIZE, Integer.toString(spec.embeddingSize()));
        }
        m.put(MetadataKeys.HEAD, spec.head().id());
        m.put(MetadataKeys.OUTPUT_SIZE, Integer.toString(spec.outputSize()));
        m.put(MetadataKeys.INPUT_NAME, spec.inputKind().id());
        m.put(MetadataKeys.OUTPUT_NAME, OUTPUT);
        m.put(MetadataKeys.STATE_INPUTS, Json.write(stateNames(spec, H0, C0)));
        m.put(MetadataKeys.STATE_OUTPUTS, Json.write(stateNames(spec, HN, CN)));
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

    /**
     * The project version, from the resource that Maven fills in from the build's {@code project.version}: the
     * one place the version is kept (see ARCHITECTURE.md).
     */
    static String producerVersion() {
        return PRODUCER_VERSION;
    }

    private static final String PRODUCER_VERSION = readVersion();

    private static String readVersion() {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = OnnxExporter.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("io/stepwise/conversion/version.properties is missing from the class"
                        + " path; the conversion jar is incomplete");
            }
            p.load(in);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read io/stepwise/conversion/version.properties", e);
        }
        return p.getProperty("version");
    }

    private static void requireArgument(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": required but was null");
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
