package io.stepwise.flink;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flink's own serializer test suite over {@link KeyStateSerializer}, plus its snapshot's fingerprint check. */
class KeyStateSerializerTest extends SerializerTestBase<KeyState> {
    private static final ModelInfo LSTM;
    private static final ModelInfo GRU;

    static {
        try (RecurrentModel lstm = RecurrentModel.load(Reference.CO2_LSTM);
             RecurrentModel gru = RecurrentModel.load(Reference.CO2_GRU)) {
            LSTM = lstm.info();
            GRU = gru.info();
        }
    }

    @Override
    protected TypeSerializer<KeyState> createSerializer() {
        return new KeyStateSerializer(zero(LSTM), "co2-lstm.onnx");
    }

    private static SessionState zero(ModelInfo info) {
        float[] z = new float[info.stateRows() * info.hiddenSize()];
        return info.hasCellState() ? SessionState.of(info, 0, z, z) : SessionState.of(info, 0, z);
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<KeyState> getTypeClass() {
        return KeyState.class;
    }

    @Override
    protected KeyState[] getTestData() {
        int n = LSTM.stateRows() * LSTM.hiddenSize();
        float[] h = new float[n];
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            h[i] = (float) Math.sin(i);
            c[i] = (float) Math.cos(i) * 3;
        }
        return new KeyState[] {
            KeyState.fresh(SessionState.of(LSTM, 0, new float[n], new float[n])),
            new KeyState(SessionState.of(LSTM, 17, h, c), 123_456L, new float[] {0.25f}, 16, new double[] {0.5}),
            new KeyState(SessionState.of(LSTM, SessionState.MAX_POSITION, c, h), -5, new float[0], 0, new double[0]),
        };
    }

    @Test
    void aSnapshotOfAnotherModelIsIncompatible() {
        var current = new KeyStateSerializer(zero(LSTM), "co2-lstm.onnx").snapshotConfiguration();
        var same = new KeyStateSerializer(zero(LSTM), "copy/co2-lstm.onnx").snapshotConfiguration();
        var other = new KeyStateSerializer(zero(GRU), "co2-gru.onnx").snapshotConfiguration();
        assertTrue(current.resolveSchemaCompatibility(same).isCompatibleAsIs());
        assertTrue(current.resolveSchemaCompatibility(other).isIncompatible());
    }

    @Test
    void corruptSessionStateBytesAreRefusedWithTheRuntimesMessage() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        createSerializer().serialize(getTestData()[1], out);
        byte[] bytes = out.getCopyOfBuffer();
        int sessionLength = java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt();
        bytes[1 + 4 + sessionLength - 10] ^= 0x55; // inside the session state's last floats: its CRC no longer matches
        IOException e = assertThrows(IOException.class,
                () -> createSerializer().deserialize(new DataInputDeserializer(bytes)));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        bytes[0] = 9;
        e = assertThrows(IOException.class, () -> createSerializer().deserialize(new DataInputDeserializer(bytes)));
        assertEquals("Stepwise key state record version 9 is not supported; this version of stepwise-flink reads"
                + " version 1", e.getMessage());
    }
}
