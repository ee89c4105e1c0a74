package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Forged states: non-finite or absurd values and impossible positions are refused; positions never wrap. */
class StatePlausibilityTest {

    private static RecurrentModel lstm() {
        return RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.LSTM, 1, 3, 5), 1));
    }

    private static void refused(Runnable r, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    /** A state of {@code model} at {@code position} with h and c filled, changed by {@code edit}. */
    private static SessionState forged(ModelInfo info, long position, Consumer<float[][]> edit) {
        float[][] hc = {new float[3], new float[3]};
        edit.accept(hc);
        return new SessionState(info.fingerprint(), info.architectureFingerprint(), position, 1, 3, hc[0], hc[1]);
    }

    @Test
    void restoreRefusesNonFiniteAndOutOfRangeValues() {
        try (RecurrentModel m = lstm(); StepSession s = m.newSession()) {
            ModelInfo info = m.info();
            refused(() -> s.restore(forged(info, 1, hc -> hc[0][1] = Float.NaN)), "hidden[1]");
            refused(() -> s.restore(forged(info, 1, hc -> hc[1][2] = Float.POSITIVE_INFINITY)), "cell[2]");
            refused(() -> s.restore(forged(info, 1, hc -> hc[0][0] = 1e30f)), "[-1, 1]");
            refused(() -> s.restore(forged(info, 5, hc -> hc[1][0] = 1e30f)), "grows by less than 1");
            refused(() -> s.restore(forged(info, -1, hc -> { })), "position");
            refused(() -> s.restore(forged(info, SessionState.MAX_POSITION + 1, hc -> { })), "position");
            s.restore(forged(info, 7, hc -> {
                hc[0][0] = -1f;
                hc[1][0] = 7.5f;
            }));
            assertEquals(7, s.position());
            // of() and fromBytes() check finiteness and the position without a model at hand
            refused(() -> SessionState.of(info, 0, new float[] {0, Float.NaN, 0}, new float[3]), "hidden[1]");
            refused(() -> SessionState.of(info, SessionState.MAX_POSITION + 1, new float[3], new float[3]),
                    "position");
        }
    }

    @Test
    void fromBytesRefusesForgedValuesBehindAValidChecksum() {
        try (RecurrentModel m = lstm()) {
            ModelInfo info = m.info();
            byte[] nan = forged(info, 1, hc -> hc[0][0] = Float.NaN).toBytes();
            refused(() -> SessionState.fromBytes(nan), "finite");
            byte[] far = forged(info, Long.MAX_VALUE, hc -> { }).toBytes();
            refused(() -> SessionState.fromBytes(far), "position");
        }
    }

    @Test
    void thePositionNeverWraps() {
        try (RecurrentModel m = lstm(); StepSession s = m.newSession()) {
            s.restore(forged(m.info(), SessionState.MAX_POSITION - 1, hc -> { }));
            s.step(1);
            assertEquals(SessionState.MAX_POSITION, s.position());
            SessionState last = s.snapshot();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(1));
            assertTrue(e.getMessage().contains("2^53"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> s.feed(new int[] {1, 2}));
            assertEquals(last, s.snapshot());
        }
    }
}
