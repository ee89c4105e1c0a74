package io.stepwise.conversion;

import com.google.protobuf.ByteString;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxModelReaderTest {
    private static final OnnxExporter EXPORTER = OnnxExporter.builder().build();

    static Stream<Arguments> networks() {
        List<Arguments> cases = new ArrayList<>();
        for (CellKind cell : CellKind.values()) {
            for (InputKind input : InputKind.values()) {
                cases.add(Arguments.of(ExportFixtures.spec(cell, 2, input, false)));
            }
            cases.add(Arguments.of(ExportFixtures.spec(cell, 2, InputKind.TOKENS, true)));
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("networks")
    void readsBackExactlyWhatWasExported(NetworkSpec spec) {
        NetworkWeights weights = ExportFixtures.randomWeights(spec, 31 + spec.hashCode());
        byte[] model = EXPORTER.toBytes(spec, weights, ExportFixtures.metadata(spec));

        ExportedNetwork read = OnnxModelReader.read(model);

        assertEquals(spec, read.spec());
        assertSameWeights(spec, weights, read.weights());
        assertEquals(OnnxExporter.structuralMetadata(spec).get("stepwise.cell"), read.metadata().get("stepwise.cell"));
        assertTrue(read.metadata().containsKey("stepwise.task"), read.metadata().toString());
        // Re-exporting what was read gives the same graph, byte for byte.
        assertEquals(parse(model).getGraph(),
                EXPORTER.toModel(read.spec(), read.weights(), ExportFixtures.metadata(spec)).getGraph());
    }

    @Test
    void readsAFileAndNamesItInErrors(@TempDir Path dir) throws IOException {
        NetworkSpec spec = ExportFixtures.spec(CellKind.GRU, 1, InputKind.FEATURES, false);
        NetworkWeights weights = ExportFixtures.randomWeights(spec, 5);
        Path file = dir.resolve("m.onnx");
        EXPORTER.write(spec, weights, ExportFixtures.metadata(spec), file);
        assertSameWeights(spec, weights, OnnxModelReader.read(file).weights());

        Path junk = dir.resolve("junk.onnx");
        Files.write(junk, new byte[]{(byte) 0xff, 1, 2, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModelReader.read(junk));
        assertTrue(e.getMessage().contains("junk.onnx") && e.getMessage().contains("not an ONNX model"),
                e.getMessage());
    }

    @Test
    void rejectsAModelWithoutStepwiseMetadata() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> m.clearMetadataProps())));
        assertTrue(e.getMessage().contains("stepwise.format is missing"), e.getMessage());
    }

    @Test
    void readsAnOlderFormatItStillUnderstandsAndRefusesAnUnknownOne() throws IOException {
        // `stepwise verify` re-reads committed format-1 models (co2-*, charlm-*); the format is range-checked, not
        // required to equal the one the exporter writes today.
        ExportedNetwork old = OnnxModelReader.read(edit(m -> setProperty(m, "stepwise.format", "1")));
        assertEquals("1", old.metadata().get("stepwise.format"));
        Path committed = Path.of("..", "models", "co2-gru.onnx");
        if (Files.isRegularFile(committed)) {
            assertEquals(CellKind.GRU, OnnxModelReader.read(committed).spec().cell());
        }
        IllegalArgumentException future = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> setProperty(m, "stepwise.format", "99"))));
        assertTrue(future.getMessage().contains("'99'") && future.getMessage().contains("understands formats"),
                future.getMessage());
    }

    @Test
    void rejectsAMalformedOrInconsistentKey() {
        IllegalArgumentException layers = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> setProperty(m, "stepwise.layers", "two"))));
        assertTrue(layers.getMessage().contains("stepwise.layers") && layers.getMessage().contains("'two'"),
                layers.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> setProperty(m, "stepwise.layers", "3"))));
        assertTrue(count.getMessage().contains("3 layer(s)") && count.getMessage().contains("2 recurrent node(s)"),
                count.getMessage());
        IllegalArgumentException cell = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> setProperty(m, "stepwise.cell", "gru"))));
        // A GRU has no cell state, so the LSTM's recorded state names no longer fit.
        assertTrue(cell.getMessage().contains("stepwise.state_inputs"), cell.getMessage());
        IllegalArgumentException node = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> {
                    for (int i = 0; i < m.getGraph().getNodeCount(); i++) {
                        if (m.getGraph().getNode(i).getOpType().equals("LSTM")) {
                            m.getGraphBuilder().setNode(i, m.getGraph().getNode(i).toBuilder().setOpType("GRU"));
                        }
                    }
                    return m;
                })));
        assertTrue(node.getMessage().contains("is GRU") && node.getMessage().contains("expected LSTM"),
                node.getMessage());
        IllegalArgumentException states = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> setProperty(m, "stepwise.state_inputs", "[\"h0\"]"))));
        assertTrue(states.getMessage().contains("stepwise.state_inputs"), states.getMessage());
    }

    @Test
    void rejectsAMissingOrMisshapenInitializer() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> {
                    m.getGraphBuilder().removeInitializer(indexOf(m, "head_bias"));
                    return m;
                })));
        assertTrue(missing.getMessage().contains("initializer head_bias is missing"), missing.getMessage());

        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> {
                    int i = indexOf(m, "layer1_R");
                    TensorProto t = m.getGraph().getInitializer(i);
                    m.getGraphBuilder().setInitializer(i, t.toBuilder().setDims(2, 1));
                    return m;
                })));
        assertTrue(shape.getMessage().contains("layer1_R") && shape.getMessage().contains("shape"),
                shape.getMessage());

        IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class,
                () -> OnnxModelReader.read(edit(m -> {
                    int i = indexOf(m, "embedding_weight");
                    TensorProto t = m.getGraph().getInitializer(i);
                    m.getGraphBuilder().setInitializer(i, t.toBuilder().setRawData(t.getRawData().substring(4)));
                    return m;
                })));
        assertTrue(bytes.getMessage().contains("embedding_weight") && bytes.getMessage().contains("bytes"),
                bytes.getMessage());
    }

    @Test
    void readsFloatDataAsWellAsRawData() {
        NetworkSpec spec = ExportFixtures.spec(CellKind.LSTM, 2, InputKind.TOKENS, false);
        NetworkWeights weights = ExportFixtures.randomWeights(spec, 17);
        byte[] model = EXPORTER.toBytes(spec, weights, ExportFixtures.metadata(spec));
        ModelProto.Builder m = parse(model);
        int i = indexOf(m, "head_bias");
        TensorProto t = m.getGraph().getInitializer(i);
        float[] values = new float[t.getRawData().size() / 4];
        t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        TensorProto.Builder asFloats = t.toBuilder().setRawData(ByteString.EMPTY);
        for (float v : values) {
            asFloats.addFloatData(v);
        }
        m.getGraphBuilder().setInitializer(i, asFloats);
        assertArrayEquals(weights.headBias(), OnnxModelReader.read(m.build().toByteArray()).weights().headBias());
    }

    private static void assertSameWeights(NetworkSpec spec, NetworkWeights expected, NetworkWeights actual) {
        if (spec.inputKind() == InputKind.TOKENS) {
            assertArrayEquals(expected.embedding(), actual.embedding(), "embedding");
        } else {
            assertNull(actual.embedding());
        }
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                LayerWeights e = expected.layer(l, d);
                LayerWeights a = actual.layer(l, d);
                String where = "layer " + l + " direction " + d + " ";
                assertArrayEquals(e.inputWeights(), a.inputWeights(), where + "weight_ih");
                assertArrayEquals(e.recurrentWeights(), a.recurrentWeights(), where + "weight_hh");
                assertArrayEquals(e.inputBias(), a.inputBias(), where + "bias_ih");
                assertArrayEquals(e.recurrentBias(), a.recurrentBias(), where + "bias_hh");
            }
        }
        assertArrayEquals(expected.headWeight(), actual.headWeight(), "head weight");
        assertArrayEquals(expected.headBias(), actual.headBias(), "head bias");
    }

    /** A 2-layer token LSTM, changed by {@code change}, serialized. */
    private static byte[] edit(UnaryOperator<ModelProto.Builder> change) {
        NetworkSpec spec = ExportFixtures.spec(CellKind.LSTM, 2, InputKind.TOKENS, false);
        byte[] model = EXPORTER.toBytes(spec, ExportFixtures.randomWeights(spec, 3), ExportFixtures.metadata(spec));
        return change.apply(parse(model)).build().toByteArray();
    }

    private static ModelProto.Builder parse(byte[] model) {
        try {
            return ModelProto.parseFrom(model).toBuilder();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static ModelProto.Builder setProperty(ModelProto.Builder m, String key, String value) {
        for (int i = 0; i < m.getMetadataPropsCount(); i++) {
            if (m.getMetadataProps(i).getKey().equals(key)) {
                m.setMetadataProps(i, StringStringEntryProto.newBuilder().setKey(key).setValue(value));
                return m;
            }
        }
        throw new AssertionError("no metadata key " + key);
    }

    private static int indexOf(ModelProto.Builder m, String initializer) {
        for (int i = 0; i < m.getGraph().getInitializerCount(); i++) {
            if (m.getGraph().getInitializer(i).getName().equals(initializer)) {
                return i;
            }
        }
        throw new AssertionError("no initializer " + initializer);
    }
}
