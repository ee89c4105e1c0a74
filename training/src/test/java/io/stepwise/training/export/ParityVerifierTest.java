package io.stepwise.training.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxModelReader;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ParityVerifierTest {
    private static final ModelExporter EXPORTER = ModelExporter.builder().build();
    private static final ParityVerifier VERIFIER = new ParityVerifier(EXPORTER);

    static Stream<NetworkSpec> specs() {
        return Stream.of(
                ModelExporterTest.spec(CellKind.LSTM, 2, true, false),
                ModelExporterTest.spec(CellKind.GRU, 2, false, false),
                ModelExporterTest.spec(CellKind.RNN_RELU, 1, true, false),
                ModelExporterTest.spec(CellKind.RNN_TANH, 2, false, true));
    }

    @ParameterizedTest
    @MethodSource("specs")
    void exportedModelPassesAndRebuildsTheSameWeights(NetworkSpec spec) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(41);
            RecurrentNet original = RecurrentNet.builder().setSpec(spec).build();
            original.initialize(manager);
            byte[] model = EXPORTER.export(original, ModelExporterTest.metadata(spec)).model();

            ParityReport report = VERIFIER.verify(model);
            assertTrue(report.passed(), report.toString());
            assertEquals(6, report.cases());
            assertEquals(ModelExporter.DEFAULT_TOLERANCE, report.tolerance());

            RecurrentNet rebuilt = ParityVerifier.rebuild(spec, OnnxModelReader.read(model).weights(), manager);
            // The copied values must survive a collection: they may not live in a buffer only Java references.
            System.gc();
            assertSameWeights(spec, WeightExtractor.extract(original), WeightExtractor.extract(rebuilt));
            assertTrue(EXPORTER.check(rebuilt, model).passed());
        }
    }

    @Test
    void verifiesAFile(@TempDir Path dir) throws Exception {
        NetworkSpec spec = ModelExporterTest.spec(CellKind.GRU, 1, true, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(2);
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
            net.initialize(manager);
            Path file = dir.resolve("gru.onnx");
            EXPORTER.write(net, ModelExporterTest.metadata(spec), file);
            assertTrue(VERIFIER.verify(file).passed());

            Path junk = dir.resolve("junk.onnx");
            Files.write(junk, new byte[] {1, 2, 3});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VERIFIER.verify(junk));
            assertTrue(e.getMessage().contains("junk.onnx"), e.getMessage());
        }
    }

    @Test
    void comparesTwoComputationsNotTheFileWithItself() throws Exception {
        NetworkSpec spec = ModelExporterTest.spec(CellKind.LSTM, 2, true, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(9);
            RecurrentNet original = RecurrentNet.builder().setSpec(spec).build();
            original.initialize(manager);
            byte[] model = EXPORTER.export(original, ModelExporterTest.metadata(spec)).model();

            // A weight changed inside the file after export: the weights checksum recorded at export (verified by
            // the runtime at load) refuses the file, whether it is verified on its own or against the network it
            // was exported from.
            byte[] tampered = flipFirstFloat(model, "layer0_W");
            assertNotEquals(OnnxModelReader.read(model).weights().layer(0, 0).inputWeights()[0],
                    OnnxModelReader.read(tampered).weights().layer(0, 0).inputWeights()[0]);
            IllegalStateException alone = assertThrows(IllegalStateException.class, () -> VERIFIER.verify(tampered));
            assertTrue(alone.getMessage().contains("weights were changed after export"), alone.getMessage());
            IllegalStateException stale = assertThrows(IllegalStateException.class,
                    () -> EXPORTER.check(original, tampered));
            assertTrue(stale.getMessage().contains("weights were changed after export"), stale.getMessage());

            // One weight changed on the DJL side only: the check must fail too.
            NetworkWeights read = OnnxModelReader.read(model).weights();
            RecurrentNet changed = ParityVerifier.rebuild(spec, withHeadBiasShifted(spec, read, 0.01f), manager);
            ParityReport measured = EXPORTER.measure(changed, model);
            assertFalse(measured.passed(), measured.toString());
            assertTrue(measured.maxAbsDiff() > 0.005, measured.toString());
            assertThrows(IllegalStateException.class, () -> EXPORTER.check(changed, model));
        }
    }

    @Test
    void loadWeightsRejectsAnUninitialisedNetOrWrongWeights() {
        NetworkSpec spec = ModelExporterTest.spec(CellKind.GRU, 1, false, false);
        NetworkSpec other = ModelExporterTest.spec(CellKind.GRU, 2, false, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet fresh = RecurrentNet.builder().setSpec(spec).build();
            RecurrentNet donor = RecurrentNet.builder().setSpec(spec).build();
            donor.initialize(manager);
            NetworkWeights weights = WeightExtractor.extract(donor);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> ParityVerifier.loadWeights(fresh, weights));
            assertTrue(e.getMessage().contains("not initialised"), e.getMessage());

            RecurrentNet twoLayers = RecurrentNet.builder().setSpec(other).build();
            twoLayers.initialize(manager);
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> ParityVerifier.loadWeights(twoLayers, weights));
            assertTrue(wrong.getMessage().contains("2 layers"), wrong.getMessage());
        }
    }

    private static NetworkWeights withHeadBiasShifted(NetworkSpec spec, NetworkWeights w, float delta) {
        NetworkWeights.Builder b = NetworkWeights.builder(spec).setEmbedding(w.embedding());
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                b.setLayer(l, d, w.layer(l, d));
            }
        }
        float[] bias = w.headBias().clone();
        bias[0] += delta;
        return b.setHead(w.headWeight(), bias).build();
    }

    /** The model re-serialized with the first float of initializer {@code name} negated and offset. */
    private static byte[] flipFirstFloat(byte[] model, String name) throws Exception {
        ModelProto.Builder m = ModelProto.parseFrom(model).toBuilder();
        for (int i = 0; i < m.getGraph().getInitializerCount(); i++) {
            TensorProto t = m.getGraph().getInitializer(i);
            if (t.getName().equals(name)) {
                ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                raw.putFloat(0, -raw.getFloat(0) + 0.5f);
                m.getGraphBuilder().setInitializer(i, t.toBuilder().setRawData(ByteString.copyFrom(raw.array())));
                return m.build().toByteArray();
            }
        }
        throw new AssertionError("no initializer " + name);
    }

    private static void assertSameWeights(NetworkSpec spec, NetworkWeights expected, NetworkWeights actual) {
        if (expected.embedding() != null) {
            assertArrayEquals(expected.embedding(), actual.embedding(), "embedding");
        }
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                LayerWeights e = expected.layer(l, d);
                LayerWeights a = actual.layer(l, d);
                assertArrayEquals(e.inputWeights(), a.inputWeights(), "weight_ih " + l + "/" + d);
                assertArrayEquals(e.recurrentWeights(), a.recurrentWeights(), "weight_hh " + l + "/" + d);
                assertArrayEquals(e.inputBias(), a.inputBias(), "bias_ih " + l + "/" + d);
                assertArrayEquals(e.recurrentBias(), a.recurrentBias(), "bias_hh " + l + "/" + d);
            }
        }
        assertArrayEquals(expected.headWeight(), actual.headWeight(), "head.weight");
        assertArrayEquals(expected.headBias(), actual.headBias(), "head.bias");
    }
}
