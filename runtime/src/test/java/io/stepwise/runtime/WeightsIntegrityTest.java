package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Weights checksum at load, fingerprints of weights and architecture, and which states a model accepts. */
class WeightsIntegrityTest {
    private static final NetworkSpec SPEC = RandomModels.tokenSpec(CellKind.LSTM, 1, 4, 5);

    private static ModelProto exported(long seed) throws IOException {
        return ModelProto.parseFrom(RandomModels.bytes(SPEC, seed));
    }

    /** {@code model} with one float of the first layer's weights changed to another finite value. */
    private static byte[] withChangedWeight(ModelProto model) {
        ModelProto.Builder b = model.toBuilder();
        for (int i = 0; i < b.getGraph().getInitializerCount(); i++) {
            TensorProto t = b.getGraph().getInitializer(i);
            if (t.getName().equals("layer0_W")) {
                ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                raw.putFloat(0, raw.getFloat(0) + 0.25f);
                b.getGraphBuilder().setInitializer(i, t.toBuilder().setRawData(ByteString.copyFrom(raw.array())));
            }
        }
        return b.build().toByteArray();
    }

    private static byte[] without(ModelProto model, String key) {
        ModelProto.Builder b = model.toBuilder().clearMetadataProps();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            if (!e.getKey().equals(key)) {
                b.addMetadataProps(e);
            }
        }
        return b.build().toByteArray();
    }

    @Test
    void exportedWeightsAreVerifiedAndChangedOnesRefusedNamingBothDigests() throws IOException {
        ModelProto model = exported(1);
        String recorded = model.getMetadataPropsList().stream()
                .filter(e -> e.getKey().equals(ModelFormat.WEIGHTS_SHA256)).findFirst().orElseThrow().getValue();
        try (RecurrentModel m = RecurrentModel.fromBytes(model.toByteArray())) {
            assertTrue(m.info().weightsVerified());
            assertEquals(recorded, m.info().weightsDigest());
        }
        ModelValidationException e = assertThrows(ModelValidationException.class,
                () -> RecurrentModel.fromBytes(withChangedWeight(model)));
        assertTrue(e.getMessage().contains(ModelFormat.WEIGHTS_SHA256) && e.getMessage().contains(recorded)
                && e.getMessage().contains("hash to "), e.getMessage());
    }

    @Test
    void modelsWithoutAChecksumLoadUnverifiedUnlessItIsRequired() throws IOException {
        byte[] bare = without(exported(1), ModelFormat.WEIGHTS_SHA256);
        try (RecurrentModel m = RecurrentModel.fromBytes(bare)) {
            assertFalse(m.info().weightsVerified());
            assertEquals(64, m.info().weightsDigest().length(), "the digest is computed all the same");
        }
        RuntimeOptions strict = RuntimeOptions.builder().optRequireWeightsChecksum(true).build();
        ModelValidationException e = assertThrows(ModelValidationException.class,
                () -> RecurrentModel.fromBytes(bare, strict));
        assertTrue(e.getMessage().contains("requireWeightsChecksum"), e.getMessage());
        assertDoesNotThrow(() -> RecurrentModel.fromBytes(exported(1).toByteArray(), strict).close());
    }

    @Test
    void theCommittedFormatOneModelsStillLoadUnverified() throws IOException {
        Path models = Path.of("..", "models");
        try (Stream<Path> files = Files.list(models)) {
            Path first = files.filter(p -> p.toString().endsWith(".onnx")).sorted().findFirst().orElseThrow();
            try (RecurrentModel m = RecurrentModel.load(first)) {
                assertFalse(m.info().weightsVerified(), first.toString());
                assertNotEquals(m.info().architectureFingerprint(), m.info().fingerprint());
            }
        }
    }

    @Test
    void aStateOfAnotherModelOfTheSameArchitectureNeedsTheOptIn() throws IOException {
        try (RecurrentModel a = RecurrentModel.fromBytes(exported(1).toByteArray());
             RecurrentModel b = RecurrentModel.fromBytes(exported(2).toByteArray());
             StepSession sa = a.newSession(); StepSession sb = b.newSession()) {
            assertEquals(a.info().architectureFingerprint(), b.info().architectureFingerprint());
            assertNotEquals(a.info().fingerprint(), b.info().fingerprint());
            sa.feed(new int[] {1, 2, 3});
            SessionState state = sa.snapshot();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sb.restore(state));
            assertTrue(e.getMessage().contains(a.info().fingerprint()) && e.getMessage().contains("adoptedBy"),
                    e.getMessage());
            sb.restore(state.adoptedBy(b.info()));
            assertEquals(3, sb.position());

            SessionState back = SessionState.fromBytes(state.toBytes());
            assertEquals(state, back);
            sa.restore(back);
        }
        try (RecurrentModel other = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU,
                1, 4, 5), 1)); RecurrentModel a = RecurrentModel.fromBytes(exported(1).toByteArray());
             StepSession sa = a.newSession()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sa.snapshot().adoptedBy(other.info()));
            assertTrue(e.getMessage().contains("architecture fingerprint"), e.getMessage());
        }
    }

    /** The version-1 form: magic, version 1, flags, architecture fingerprint, position, rows, H, h, c, CRC. */
    static byte[] versionOne(SessionState s) {
        int n = s.hidden().length;
        ByteBuffer b = ByteBuffer.allocate(32 + n * 4 * (s.hasCellState() ? 2 : 1) + 4);
        b.put(new byte[] {'S', 'W', 'S', 'S'}).putShort((short) 1).putShort((short) (s.hasCellState() ? 1 : 0));
        b.putLong(Long.parseUnsignedLong(s.architectureFingerprint(), 16)).putLong(s.position()).putInt(s.rows())
                .putInt(s.hiddenSize());
        for (float v : s.hidden()) {
            b.putFloat(v);
        }
        if (s.hasCellState()) {
            for (float v : s.cell().orElseThrow()) {
                b.putFloat(v);
            }
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    @Test
    void versionOneStatesAreReadAndRestoredThroughTheOptIn() throws IOException {
        try (RecurrentModel a = RecurrentModel.fromBytes(exported(1).toByteArray()); StepSession s = a.newSession()) {
            s.feed(new int[] {4, 1});
            SessionState now = s.snapshot();
            SessionState old = SessionState.fromBytes(versionOne(now));
            assertEquals("", old.fingerprint());
            assertEquals(now.architectureFingerprint(), old.architectureFingerprint());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.restore(old));
            assertTrue(e.getMessage().contains("version 1"), e.getMessage());
            s.reset();
            s.restore(old.adoptedBy(a.info()));
            assertEquals(now, s.snapshot());
            assertEquals(old, SessionState.fromBytes(old.toBytes()), "an unknown fingerprint survives version 2");
        }
    }
}
