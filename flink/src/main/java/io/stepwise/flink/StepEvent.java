package io.stepwise.flink;

import java.util.Arrays;
import java.util.Objects;

/**
 * One event of one sequence: the key it belongs to, its time (milliseconds, event time), and either a token
 * (language and event-sequence models) or one observation in the series' own units (forecasters).
 *
 * @param key       the sequence; the stream is keyed by it
 * @param timestamp event time in milliseconds; used by the {@link TimePolicy}
 * @param token     the token id, or {@link #NO_TOKEN} for an observation
 * @param values    one value per feature of the model, unscaled; empty for a token
 */
public record StepEvent(String key, long timestamp, int token, double[] values) {
    /** The token of an observation event. */
    public static final int NO_TOKEN = -1;
    private static final double[] NONE = new double[0];

    /** Copies the values, so the event cannot change behind the operator's back. */
    public StepEvent {
        Objects.requireNonNull(key, "key");
        values = values == null ? NONE : values.clone();
    }

    /** A token event. */
    public static StepEvent token(String key, long timestamp, int token) {
        return new StepEvent(key, timestamp, token, NONE);
    }

    /** An observation event, one value per feature in the series' units. */
    public static StepEvent observation(String key, long timestamp, double... values) {
        return new StepEvent(key, timestamp, NO_TOKEN, Objects.requireNonNull(values, "values"));
    }

    /** Whether this event carries a token rather than an observation. */
    public boolean isToken() {
        return token != NO_TOKEN || values.length == 0;
    }

    /** A copy of the observation. */
    @Override
    public double[] values() {
        return values.clone();
    }

    /** The observation without a copy, for the operator, which never changes it. */
    double[] valuesArray() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepEvent e && e.key.equals(key) && e.timestamp == timestamp && e.token == token
                && Arrays.equals(e.values, values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, timestamp, token, Arrays.hashCode(values));
    }

    @Override
    public String toString() {
        return "StepEvent[" + key + " @" + timestamp + (isToken() ? " token " + token : " " + Arrays.toString(values))
                + "]";
    }
}
