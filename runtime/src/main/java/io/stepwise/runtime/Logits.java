package io.stepwise.runtime;

import java.util.Arrays;

/**
 * Arithmetic on a model's output scores, shared by text generation, classification and evaluation code:
 * numerically stable softmax and log-softmax (in double precision, shifted by the maximum so that {@code exp}
 * never overflows), argmax, and a deterministic ranking.
 *
 * <p>A NaN or infinite score means the model itself produced a non-finite value, so every method refuses one with
 * {@link IllegalStateException} ("model output: ..."), as it refuses an empty array.
 */
public final class Logits {
    private Logits() {
    }

    /**
     * softmax(logits): probabilities that sum to 1.
     *
     * @throws IllegalStateException when {@code logits} is empty or holds a non-finite value
     */
    public static double[] softmax(float[] logits) {
        return softmax(logits, 1.0);
    }

    /**
     * softmax(logits / temperature).
     *
     * @param temperature > 0; below 1 sharpens the distribution, above 1 flattens it (1 = plain softmax)
     * @throws IllegalArgumentException when the temperature is not a finite number > 0
     * @throws IllegalStateException    when {@code logits} is empty or holds a non-finite value
     */
    public static double[] softmax(float[] logits, double temperature) {
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature: expected a finite number > 0 but got " + temperature);
        }
        double max = max(logits);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * log softmax(logits), computed as logit − max − log Σ exp(logit − max) so that it stays finite for any finite
     * input.
     *
     * @throws IllegalStateException when {@code logits} is empty or holds a non-finite value
     */
    public static double[] logSoftmax(float[] logits) {
        double max = max(logits);
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        double logSum = Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] - max - logSum;
        }
        return out;
    }

    /**
     * Index of the largest value, the lowest index on ties.
     *
     * @throws IllegalStateException when {@code values} is empty or holds a non-finite value
     */
    public static int argmax(float[] values) {
        checkFinite(values);
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Indices ordered by falling value, the lower index first on ties; e.g. labels by probability. */
    public static int[] rankDescending(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(values[b], values[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] out = new int[order.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = order[i];
        }
        return out;
    }

    private static double max(float[] logits) {
        checkFinite(logits);
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        return max;
    }

    private static void checkFinite(float[] logits) {
        if (logits.length == 0) {
            throw new IllegalStateException("model output: expected at least one logit but got none");
        }
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new IllegalStateException("model output: logit " + i + " is " + logits[i]
                        + "; the model produced a non-finite value");
            }
        }
    }
}
