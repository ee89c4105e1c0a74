package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SessionStateTest {
    private static SessionState lstmState() {
        float[] h = {0.5f, -1f, 2f, 0f, 3.25f, -0.125f};
        float[] c = {1f, 2f, 3f, 4f, 5f, 6f};
        return new SessionState("00000000deadbeef", "00000000feedface", 17, 2, 3, h, c);
    }

    @Test
    void roundTripsThroughBytes() {
        SessionState s = lstmState();
        SessionState back = SessionState.fromBytes(s.toBytes());
        assertEquals(s, back);
        assertEquals(s.hashCode(), back.hashCode());
        assertEquals("00000000deadbeef", back.fingerprint());
        assertEquals(17, back.position());
        assertArrayEquals(new long[] {2, 1, 3}, back.stateShape());
        assertArrayEquals(s.hidden(), back.hidden());
        assertArrayEquals(s.cell().orElseThrow(), back.cell().orElseThrow());

        SessionState gru = new SessionState("ffffffffffffffff", "0123456789abcdef", 0, 1, 2, new float[] {1f, 2f}, null);
        SessionState gruBack = SessionState.fromBytes(gru.toBytes());
        assertEquals(gru, gruBack);
        assertTrue(gruBack.cell().isEmpty());
        assertEquals(4 + 2 + 2 + 8 + 8 + 8 + 4 + 4 + 8 + 4, gru.toBytes().length);
    }

    @Test
    void factoriesCheckTheModelsShapeAndCopyTheArrays() {
        ModelInfo lstm = RecurrentModelInfos.parse(io.stepwise.conversion.CellKind.LSTM, 2, 3);
        float[] h = {1, 2, 3, 4, 5, 6};
        SessionState s = SessionState.of(lstm, 5, h, h.clone());
        h[0] = 99;
        assertEquals(1f, s.hidden()[0]);
        assertEquals(lstm.fingerprint(), s.fingerprint());
        assertArrayEquals(new long[] {2, 1, 3}, s.stateShape());
        assertMessage(() -> SessionState.of(lstm, 5, new float[6]), "has a cell state");
        assertMessage(() -> SessionState.of(lstm, 5, new float[5], new float[6]), "hidden: expected 6 values");
        assertMessage(() -> SessionState.of(lstm, -1, new float[6], new float[6]), "position");
        ModelInfo gru = RecurrentModelInfos.parse(io.stepwise.conversion.CellKind.GRU, 1, 2);
        assertEquals(0, SessionState.of(gru, 0, new float[2]).position());
        assertMessage(() -> SessionState.of(gru, 0, new float[2], new float[2]), "has no cell state");
    }

    private static void assertMessage(Runnable r, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void accessorsReturnCopies() {
        SessionState s = lstmState();
        s.hidden()[0] = 99f;
        s.cell().orElseThrow()[0] = 99f;
        assertEquals(0.5f, s.hidden()[0]);
        assertEquals(1f, s.cell().orElseThrow()[0]);
    }

    @Test
    void refusesBadMagicVersionChecksumAndLength() {
        byte[] good = lstmState().toBytes();

        byte[] magic = good.clone();
        magic[0] = 'X';
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionState.fromBytes(magic));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());

        byte[] version = good.clone();
        version[5] = 9;
        e = assertThrows(IllegalArgumentException.class, () -> SessionState.fromBytes(version));
        assertTrue(e.getMessage().contains("version 9"), e.getMessage());

        byte[] flipped = good.clone();
        flipped[40] ^= 0x10;
        e = assertThrows(IllegalArgumentException.class, () -> SessionState.fromBytes(flipped));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        for (int cut : new int[] {3, 10, good.length - 1}) {
            byte[] truncated = Arrays.copyOf(good, cut);
            e = assertThrows(IllegalArgumentException.class, () -> SessionState.fromBytes(truncated), "cut " + cut);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("magic"), e.getMessage());
        }
        byte[] longer = Arrays.copyOf(good, good.length + 4);
        e = assertThrows(IllegalArgumentException.class, () -> SessionState.fromBytes(longer));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());

        byte[] rows = good.clone();
        rows[24] = (byte) 0x80; // negative row count
        e = assertThrows(IllegalArgumentException.class, () -> SessionState.fromBytes(rows));
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void toStringNamesModelAndShape() {
        String s = lstmState().toString();
        assertTrue(s.contains("deadbeef") && s.contains("2×3") && s.contains("position 17"), s);
    }
}
