package io.stepwise.flink;

import io.stepwise.runtime.SessionState;

import java.util.Arrays;
import java.util.Objects;

/**
 * Everything the operator keeps for one key, immutable: the recurrent state, the time of the last stepped event,
 * the model's last output (the forecast the next observation is compared with) and a running mean of the squared
 * forecast error per target (the unit of the anomaly score). Stored in Flink's keyed state by
 * {@link KeyStateSerializer}; the recurrent state travels as {@link SessionState#toBytes()}.
 *
 * @param session          the recurrent state and position
 * @param lastTimestamp    time of the last stepped event, {@link Long#MIN_VALUE} before the first
 * @param lastOutput       the model's raw (scaled) output after the last event, or empty before the first
 * @param errors           forecast errors seen so far (anomaly mode)
 * @param meanSquaredError exponentially weighted mean of the squared error per target, in the series' units², or
 *                         empty before the first error
 */
record KeyState(SessionState session, long lastTimestamp, float[] lastOutput, long errors,
                double[] meanSquaredError) {

    KeyState {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(lastOutput, "lastOutput");
        Objects.requireNonNull(meanSquaredError, "meanSquaredError");
    }

    /** A key that has seen nothing yet. */
    static KeyState fresh(SessionState initial) {
        return new KeyState(initial, Long.MIN_VALUE, new float[0], 0, new double[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyState k && k.session.equals(session) && k.lastTimestamp == lastTimestamp
                && Arrays.equals(k.lastOutput, lastOutput) && k.errors == errors
                && Arrays.equals(k.meanSquaredError, meanSquaredError);
    }

    @Override
    public int hashCode() {
        return Objects.hash(session, lastTimestamp, Arrays.hashCode(lastOutput), errors,
                Arrays.hashCode(meanSquaredError));
    }

    @Override
    public String toString() {
        return "KeyState[" + session + ", last @" + lastTimestamp + ", " + errors + " errors]";
    }
}
