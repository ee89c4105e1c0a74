package io.stepwise.conversion;

import ai.onnxruntime.OrtException;
import io.stepwise.conversion.ExportFixtures.OrtModel;
import io.stepwise.conversion.ExportFixtures.Tensor;
import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.NodeProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorShapeProto;
import io.stepwise.conversion.onnx.OnnxProto.ValueInfoProto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxExporterTest {
    private static final double TOLERANCE = 1e-5;
    private static final OnnxExporter EXPORTER = OnnxExporter.builder().build();
    /** Largest difference seen by any parity test in this run, printed at the end for the record. */
    private static double largestDiff;
    private static int parityCases;

    @AfterAll
    static void report() {
        System.out.printf("ONNX Runtime vs reference: %d cases, max abs diff %.3g (tolerance %.0e)%n",
                parityCases, largestDiff, TOLERANCE);
    }

    @Test
    void unidirectionalNetworksMatchTheReference() throws OrtException {
        long seed = 1;
        for (CellKind cell : CellKind.values()) {
            for (int layers = 1; layers <= 3; layers++) {
                for (InputKind input : InputKind.values()) {
                    checkParity(ExportFixtures.spec(cell, layers, input, false), seed++);
                }
            }
        }
    }

    @Test
    void bidirectionalClassifiersMatchTheReference() throws OrtException {
        long seed = 100;
        for (CellKind cell : CellKind.values()) {
            for (int layers = 1; layers <= 2; layers++) {
                for (InputKind input : InputKind.values()) {
                    checkParity(ExportFixtures.spec(cell, layers, input, true), seed++);
                }
            }
        }
    }

    @Test
    void unidirectionalClassifierHeadReadsTheTopFinalState() throws OrtException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).optLayers(2).setHiddenSize(3)
                .setFeatureInput(3).optHead(HeadKind.FINAL_STATE).setOutputSize(4).build();
        checkParity(spec, 7);
    }

    private void checkParity(NetworkSpec spec, long seed) throws OrtException {
        NetworkWeights weights = ExportFixtures.randomWeights(spec, seed);
        ReferenceNetwork reference = new ReferenceNetwork(spec, weights);
        Random random = new Random(seed * 31);
        try (OrtModel model = new OrtModel(EXPORTER.toBytes(spec, weights, ExportFixtures.metadata(spec)))) {
            for (int batch : new int[]{1, 3}) {
                for (int steps : new int[]{1, 7}) {
                    Object input = randomInput(spec, random, batch, steps);
                    float[][][] h0 = ExportFixtures.uniform3(random, spec.stateRows(), batch, spec.hiddenSize(), 1);
                    float[][][] c0 = ExportFixtures.uniform3(random, spec.stateRows(), batch, spec.hiddenSize(), 1);
                    ReferenceNetwork.Result expected = run(reference, input, h0, c0);
                    Map<String, Tensor> actual = model.run(spec, input, h0, c0);
                    String where = spec + " batch " + batch + " steps " + steps;
                    Tensor output = actual.get("output");
                    if (spec.head() == HeadKind.FINAL_STATE) {
                        assertArrayEquals(new long[]{batch, spec.outputSize()}, output.shape(), where);
                        output = new Tensor(output.data(), new long[]{batch, 1, spec.outputSize()});
                    }
                    record(where + " output", ExportFixtures.maxAbsDiff(expected.output(), output));
                    record(where + " hn", ExportFixtures.maxAbsDiff(expected.hn(), actual.get("hn")));
                    if (spec.cell().hasCellState()) {
                        record(where + " cn", ExportFixtures.maxAbsDiff(expected.cn(), actual.get("cn")));
                    } else {
                        assertFalse(actual.containsKey("cn"), where);
                    }
                    parityCases++;
                }
            }
        }
    }

    private static void record(String where, double diff) {
        largestDiff = Math.max(largestDiff, diff);
        assertTrue(diff <= TOLERANCE, where + ": max abs diff " + diff + " exceeds " + TOLERANCE);
    }

    private static Object randomInput(NetworkSpec spec, Random random, int batch, int steps) {
        return spec.inputKind() == InputKind.TOKENS ? ExportFixtures.tokens(random, batch, steps)
                : ExportFixtures.uniform3(random, batch, steps, spec.inputSize(), 2);
    }

    private static ReferenceNetwork.Result run(ReferenceNetwork reference, Object input, float[][][] h0,
                                               float[][][] c0) {
        return input instanceof long[][] tokens ? reference.runTokens(tokens, h0, c0)
                : reference.runFeatures((float[][][]) input, h0, c0);
    }

    @Test
    void steppingOneStepAtATimeEqualsTheFullRun() throws OrtException {
        long seed = 200;
        for (CellKind cell : CellKind.values()) {
            for (InputKind inputKind : InputKind.values()) {
                NetworkSpec spec = ExportFixtures.spec(cell, 2, inputKind, false);
                NetworkWeights weights = ExportFixtures.randomWeights(spec, seed++);
                Random random = new Random(seed);
                int batch = 2;
                int steps = 7;
                Object input = randomInput(spec, random, batch, steps);
                float[][][] h0 = ExportFixtures.uniform3(random, spec.stateRows(), batch, spec.hiddenSize(), 1);
                float[][][] c0 = ExportFixtures.uniform3(random, spec.stateRows(), batch, spec.hiddenSize(), 1);
                try (OrtModel model = new OrtModel(EXPORTER.toBytes(spec, weights, ExportFixtures.metadata(spec)))) {
                    Map<String, Tensor> full = model.run(spec, input, h0, c0);
                    float[][][] h = h0;
                    float[][][] c = c0;
                    int width = spec.outputSize();
                    for (int t = 0; t < steps; t++) {
                        Map<String, Tensor> step = model.run(spec, stepOf(input, t), h, c);
                        for (int b = 0; b < batch; b++) {
                            for (int o = 0; o < width; o++) {
                                float whole = full.get("output").data()[(b * steps + t) * width + o];
                                float stepped = step.get("output").data()[b * width + o];
                                assertEquals(whole, stepped, 1e-6, cell + " " + inputKind + " step " + t);
                            }
                        }
                        h = step.get("hn").as3d();
                        c = cell.hasCellState() ? step.get("cn").as3d() : null;
                    }
                    assertArrayEquals(full.get("hn").data(), flatten(h), 1e-6f, cell + " hn");
                    if (cell.hasCellState()) {
                        assertArrayEquals(full.get("cn").data(), flatten(c), 1e-6f, cell + " cn");
                    }
                }
            }
        }
    }

    private static Object stepOf(Object input, int t) {
        if (input instanceof long[][] tokens) {
            long[][] one = new long[tokens.length][];
            for (int b = 0; b < tokens.length; b++) {
                one[b] = new long[]{tokens[b][t]};
            }
            return one;
        }
        float[][][] f = (float[][][]) input;
        float[][][] one = new float[f.length][][];
        for (int b = 0; b < f.length; b++) {
            one[b] = new float[][]{f[b][t]};
        }
        return one;
    }

    private static float[] flatten(float[][][] x) {
        List<Float> all = new ArrayList<>();
        for (float[][] a : x) {
            for (float[] b : a) {
                for (float v : b) {
                    all.add(v);
                }
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void graphHasTheDocumentedInterfaceAndOneRecurrentNodePerLayer() {
        NetworkSpec spec = ExportFixtures.spec(CellKind.LSTM, 3, InputKind.TOKENS, false);
        ModelProto model = EXPORTER.toModel(spec, ExportFixtures.randomWeights(spec, 3), ExportFixtures.metadata(spec));
        assertEquals(8, model.getIrVersion());
        assertEquals("", model.getOpsetImport(0).getDomain());
        assertEquals(17, model.getOpsetImport(0).getVersion());
        assertEquals("stepwise", model.getProducerName());
        assertFalse(model.getProducerVersion().isEmpty());
        assertFalse(model.getDocString().isEmpty());
        GraphProto graph = model.getGraph();
        assertFalse(graph.getName().isEmpty());
        assertEquals(List.of("tokens:INT64[batch,sequence]", "h0:FLOAT[3,batch,3]", "c0:FLOAT[3,batch,3]",
                "sequence_lens:INT32[batch]"), describe(graph.getInputList()));
        for (NodeProto n : graph.getNodeList().stream().filter(n -> n.getOpType().equals("LSTM")).toList()) {
            assertEquals(OnnxExporter.SEQUENCE_LENS, n.getInput(4), "every layer reads the row lengths");
        }
        assertEquals(List.of("output:FLOAT[batch,sequence,5]", "hn:FLOAT[3,batch,3]", "cn:FLOAT[3,batch,3]"),
                describe(graph.getOutputList()));
        List<NodeProto> lstms = graph.getNodeList().stream().filter(n -> n.getOpType().equals("LSTM")).toList();
        assertEquals(3, lstms.size());
        for (NodeProto n : lstms) {
            Map<String, String> attributes = n.getAttributeList().stream().collect(Collectors.toMap(
                    a -> a.getName(), a -> a.hasS() ? a.getS().toStringUtf8() : Long.toString(a.getI())));
            assertEquals(Map.of("hidden_size", "3", "direction", "forward", "layout", "0"), attributes);
        }
        assertEquals(1, graph.getNodeList().stream().filter(n -> n.getOpType().equals("Gather")).count());

        NetworkSpec bi = ExportFixtures.spec(CellKind.GRU, 2, InputKind.FEATURES, true);
        GraphProto biGraph = EXPORTER.toModel(bi, ExportFixtures.randomWeights(bi, 4), ExportFixtures.metadata(bi))
                .getGraph();
        assertEquals(List.of("features:FLOAT[batch,sequence,3]", "h0:FLOAT[4,batch,3]",
                "sequence_lens:INT32[batch]"), describe(biGraph.getInputList()));
        assertEquals(List.of("output:FLOAT[batch,5]", "hn:FLOAT[4,batch,3]"), describe(biGraph.getOutputList()));
        for (NodeProto n : biGraph.getNodeList().stream().filter(n -> n.getOpType().equals("GRU")).toList()) {
            assertTrue(n.getAttributeList().stream().anyMatch(a -> a.getName().equals("linear_before_reset")
                    && a.getI() == 1), n.toString());
            assertTrue(n.getAttributeList().stream().anyMatch(a -> a.getName().equals("direction")
                    && a.getS().toStringUtf8().equals("bidirectional")), n.toString());
        }

        NetworkSpec relu = ExportFixtures.spec(CellKind.RNN_RELU, 1, InputKind.FEATURES, true);
        NodeProto rnn = EXPORTER.toModel(relu, ExportFixtures.randomWeights(relu, 5), ExportFixtures.metadata(relu))
                .getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("RNN")).findFirst().orElseThrow();
        assertEquals(List.of("Relu", "Relu"), rnn.getAttributeList().stream()
                .filter(a -> a.getName().equals("activations")).findFirst().orElseThrow()
                .getStringsList().stream().map(s -> s.toStringUtf8()).toList());
    }

    private static List<String> describe(List<ValueInfoProto> values) {
        List<String> out = new ArrayList<>();
        for (ValueInfoProto v : values) {
            var tensor = v.getType().getTensorType();
            String dims = tensor.getShape().getDimList().stream()
                    .map(d -> d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue()))
                    .collect(Collectors.joining(","));
            out.add(v.getName() + ":" + io.stepwise.conversion.onnx.OnnxProto.TensorProto.DataType
                    .forNumber(tensor.getElemType()) + "[" + dims + "]");
        }
        return out;
    }

    @Test
    void metadataHoldsTheStructuralKeysThenTheModelMetadata() throws OrtException {
        NetworkSpec spec = ExportFixtures.spec(CellKind.LSTM, 2, InputKind.TOKENS, false);
        List<String> vocabulary = new ArrayList<>();
        for (int i = 0; i < ExportFixtures.VOCABULARY; i++) {
            vocabulary.add(String.valueOf((char) ('a' + i)));
        }
        ModelMetadata metadata = ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL).optVocabulary(vocabulary)
                .optUnknownToken(0).optParity(2.5e-7, 1e-5, 24).optProperty("note", "hello").build();
        byte[] bytes = EXPORTER.toBytes(spec, ExportFixtures.randomWeights(spec, 9), metadata);
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("stepwise.format", "2");
        expected.put("stepwise.cell", "lstm");
        expected.put("stepwise.layers", "2");
        expected.put("stepwise.hidden_size", "3");
        expected.put("stepwise.bidirectional", "false");
        expected.put("stepwise.input_kind", "tokens");
        expected.put("stepwise.input_size", "11");
        expected.put("stepwise.embedding_size", "4");
        expected.put("stepwise.head", "per_step");
        expected.put("stepwise.output_size", "5");
        expected.put("stepwise.input_name", "tokens");
        expected.put("stepwise.output_name", "output");
        expected.put("stepwise.state_inputs", "[\"h0\",\"c0\"]");
        expected.put("stepwise.state_outputs", "[\"hn\",\"cn\"]");
        expected.put("stepwise.task", "language_model");
        expected.put("stepwise.vocabulary", "[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\"]");
        expected.put("stepwise.unknown_token", "0");
        expected.put("stepwise.parity", "{\"max_abs_diff\":2.5E-7,\"tolerance\":1.0E-5,\"cases\":24}");
        expected.put("stepwise.note", "hello");
        try (OrtModel model = new OrtModel(bytes)) {
            assertEquals(expected, model.session().getMetadata().getCustomMetadata());
            assertEquals("stepwise", model.session().getMetadata().getProducerName());
        }
        Map<String, String> inFileOrder = new LinkedHashMap<>();
        for (StringStringEntryProto e : parse(bytes).getMetadataPropsList()) {
            assertEquals(null, inFileOrder.put(e.getKey(), e.getValue()), "duplicate key " + e.getKey());
        }
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(inFileOrder.keySet()));

        NetworkSpec features = ExportFixtures.spec(CellKind.GRU, 1, InputKind.FEATURES, false);
        Map<String, String> structural = OnnxExporter.structuralMetadata(features);
        assertFalse(structural.containsKey("stepwise.embedding_size"));
        assertEquals("[\"h0\"]", structural.get("stepwise.state_inputs"));
        assertEquals("[\"hn\"]", structural.get("stepwise.state_outputs"));
        assertEquals("features", structural.get("stepwise.input_name"));
    }

    private static ModelProto parse(byte[] bytes) {
        try {
            return ModelProto.parseFrom(bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void badInputIsRejectedAndNothingIsWritten(@TempDir Path dir) {
        NetworkSpec spec = ExportFixtures.spec(CellKind.GRU, 2, InputKind.TOKENS, false);
        NetworkWeights weights = ExportFixtures.randomWeights(spec, 11);
        ModelMetadata metadata = ExportFixtures.metadata(spec);
        Path file = dir.resolve("model.onnx");

        // Weights built for 11 tokens × 4 embedding, exported as if the embedding were 5 wide.
        NetworkSpec wider = NetworkSpec.builder().setCell(CellKind.GRU).optLayers(2).setHiddenSize(3)
                .setTokenInput(11, 5).setOutputSize(5).build();
        assertRejected(() -> EXPORTER.write(wider, weights, metadata, file), "embedding", "expected 55 values",
                "got 44");

        NetworkWeights poisoned = ExportFixtures.randomWeights(spec, 12);
        // The accessor hands out the stored array, so a caller can break weights after they were validated;
        // the exporter validates again before writing.
        poisoned.layer(1, 0).recurrentWeights()[4] = Float.NaN;
        assertRejected(() -> EXPORTER.write(spec, poisoned, metadata, file), "layer 1 weight_hh", "index 4");

        ModelMetadata wrongVocabulary = ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL)
                .optVocabulary(List.of("a", "b", "c")).build();
        assertRejected(() -> EXPORTER.write(spec, weights, wrongVocabulary, file), "vocabulary", "11");

        ModelMetadata conflicting = ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL)
                .optProperty("cell", "lstm").build();
        assertRejected(() -> EXPORTER.write(spec, weights, conflicting, file), "stepwise.cell", "gru");

        ModelMetadata classifier = ModelMetadata.builder().setTask(Task.CLASSIFIER).build();
        assertRejected(() -> EXPORTER.write(spec, weights, classifier, file), "task", "final_state");

        assertRejected(() -> EXPORTER.write(spec, null, metadata, file), "weights", "null");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetworkSpec.builder().setCell(CellKind.LSTM).setHiddenSize(3).setFeatureInput(3)
                        .setOutputSize(2).optBidirectional(true).optHead(HeadKind.PER_STEP).build());
        assertTrue(e.getMessage().contains("bidirectional") && e.getMessage().contains("per_step"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.builder().optOpset(13).build());
        assertEquals("opset: expected 14..21 but got 13", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.builder().optOpset(19).build());
        assertTrue(e.getMessage().startsWith("irVersion: opset 19 needs IR version ≥ 9"), e.getMessage());

        assertEquals(List.of(), list(dir), "nothing may be written on bad input");
    }

    private static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void writeReplacesAnExistingFileWhole(@TempDir Path dir) throws IOException, OrtException {
        Path file = dir.resolve("model.onnx");
        Files.writeString(file, "an older, different file", StandardCharsets.UTF_8);
        NetworkSpec spec = ExportFixtures.spec(CellKind.RNN_TANH, 2, InputKind.FEATURES, false);
        NetworkWeights weights = ExportFixtures.randomWeights(spec, 13);
        EXPORTER.write(spec, weights, ExportFixtures.metadata(spec), file);

        byte[] written = Files.readAllBytes(file);
        assertArrayEquals(EXPORTER.toBytes(spec, weights, ExportFixtures.metadata(spec)), written);
        assertEquals(List.of("model.onnx"), list(dir), "no temporary file may be left behind");
        try (OrtModel model = new OrtModel(written)) {
            assertEquals(Map.of("features", 1, "h0", 1, "sequence_lens", 1),
                    model.session().getInputNames().stream().collect(Collectors.toMap(n -> n, n -> 1)));
        }

        Path nested = dir.resolve("a/b/model.onnx");
        EXPORTER.write(spec, weights, ExportFixtures.metadata(spec), nested);
        assertArrayEquals(written, Files.readAllBytes(nested));
    }

    @Test
    void failedMoveRemovesTheTemporaryFile(@TempDir Path dir) throws IOException {
        // A non-empty folder at the target path cannot be replaced by a file.
        Path target = dir.resolve("model.onnx");
        Files.createDirectories(target.resolve("occupied"));
        NetworkSpec spec = ExportFixtures.spec(CellKind.GRU, 1, InputKind.FEATURES, false);
        assertThrows(IOException.class, () -> EXPORTER.write(spec, ExportFixtures.randomWeights(spec, 14),
                ExportFixtures.metadata(spec), target));
        assertEquals(List.of("model.onnx"), list(dir));
        assertEquals(List.of("occupied"), list(target));
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Writes a few models into target/onnx-samples for scripts/check_onnx.py (ONNX's own checker, run in CI) and
     * checks that each one loads in ONNX Runtime.
     */
    @Test
    void writesSampleModelsForTheChecker() throws IOException, OrtException {
        Path samples = Path.of("target", "onnx-samples");
        Files.createDirectories(samples);
        List<NetworkSpec> specs = new ArrayList<>();
        for (CellKind cell : CellKind.values()) {
            specs.add(ExportFixtures.spec(cell, 2, InputKind.TOKENS, false));
            specs.add(ExportFixtures.spec(cell, 1, InputKind.FEATURES, false));
        }
        specs.add(ExportFixtures.spec(CellKind.GRU, 2, InputKind.TOKENS, true));
        specs.add(ExportFixtures.spec(CellKind.LSTM, 2, InputKind.FEATURES, true));
        long seed = 300;
        for (NetworkSpec spec : specs) {
            String name = spec.cell().id() + "-" + spec.layers() + "layer-" + spec.inputKind().id()
                    + (spec.bidirectional() ? "-bidirectional-classifier" : "") + ".onnx";
            Path file = samples.resolve(name);
            EXPORTER.write(spec, ExportFixtures.randomWeights(spec, seed++), ExportFixtures.metadata(spec), file);
            try (OrtModel model = new OrtModel(Files.readAllBytes(file))) {
                assertTrue(model.session().getOutputNames().contains("hn"), name);
            }
        }
    }
}
