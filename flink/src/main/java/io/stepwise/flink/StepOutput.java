package io.stepwise.flink;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the model says after one event of one key.
 *
 * @param key          the sequence
 * @param timestamp    the event's time
 * @param position     events of this key stepped so far, this one included (1 for the first)
 * @param values       {@link OutputMode#NEXT_TOKEN_PROBABILITIES}: the probability of each next token;
 *                     {@link OutputMode#FORECAST} and {@link OutputMode#ANOMALY_SCORE}: the forecast of the next
 *                     observation, in the series' units, one value per target
 * @param expected     {@link OutputMode#ANOMALY_SCORE}: the one-step forecast this observation was compared with
 *                     (made after the previous event); empty for the key's first event and in the other modes
 * @param anomalyScore {@link OutputMode#ANOMALY_SCORE}: the largest |observation − expected| over the targets, each
 *                     in units of that target's recent root-mean-square forecast error; NaN while the key has too
 *                     few errors to judge (its warm-up) and in the other modes
 */
public record StepOutput(String key, long timestamp, long position, double[] values, double[] expected,
                         double anomalyScore) {

    /** Copies the arrays. */
    public StepOutput {
        Objects.requireNonNull(key, "key");
        values = Objects.requireNonNull(values, "values").clone();
        expected = Objects.requireNonNull(expected, "expected").clone();
    }

    /** A copy of the values. */
    @Override
    public double[] values() {
        return values.clone();
    }

    /** A copy of the expected observation. */
    @Override
    public double[] expected() {
        return expected.clone();
    }

    /** Whether an anomaly score was computed for this event (not during a key's warm-up, not in other modes). */
    public boolean hasScore() {
        return !Double.isNaN(anomalyScore);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepOutput s && s.key.equals(key) && s.timestamp == timestamp && s.position == position
                && Arrays.equals(s.values, values) && Arrays.equals(s.expected, expected)
                && Double.compare(s.anomalyScore, anomalyScore) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, timestamp, position, Arrays.hashCode(values), Arrays.hashCode(expected),
                anomalyScore);
    }

    @Override
    public String toString() {
        return "StepOutput[" + key + " @" + timestamp + " #" + position + " " + Arrays.toString(values)
                + (expected.length == 0 ? "" : " expected " + Arrays.toString(expected))
                + (hasScore() ? " score " + anomalyScore : "") + "]";
    }
}
