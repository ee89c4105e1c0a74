package io.stepwise.runtime;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The token-choice arithmetic of {@link TextGenerator}: numerically stable softmax, CTRL repetition penalty,
 * temperature, top-k and top-p filtering, and one categorical draw. Stateless apart from its random source.
 */
final class Sampler {
    private final double temperature;
    private final int topK;
    private final double topP;
    private final SplittableRandom random;

    Sampler(double temperature, int topK, double topP, long seed) {
        this.temperature = temperature;
        this.topK = topK;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    /** Draws one token id from the filtered distribution of {@code logits}. */
    int sample(float[] logits) {
        double[] p = distribution(logits, temperature, topK, topP);
        double u = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        // Rounding can leave the cumulative sum a hair below 1; the draw then belongs to the last kept token.
        return last;
    }

    /**
     * The sampling distribution: softmax(logits / temperature), restricted to the top-k tokens (k = 0: all), then to
     * the smallest set of most likely tokens whose probability reaches {@code topP}, renormalised. Ties in
     * probability are ranked by lower token id. Removed tokens get probability 0.
     */
    static double[] distribution(float[] logits, double temperature, int topK, double topP) {
        double[] p = softmax(logits, temperature);
        int n = p.length;
        boolean limitK = topK > 0 && topK < n;
        if (!limitK && topP >= 1) {
            return p;
        }
        Integer[] order = rankDescending(p);
        int keep = limitK ? topK : n;
        if (topP < 1) {
            double mass = 0;
            for (int j = 0; j < keep; j++) {
                mass += p[order[j]];
            }
            double cumulative = 0;
            int nucleus = keep;
            for (int j = 0; j < keep; j++) {
                cumulative += p[order[j]] / mass;
                // A small tolerance keeps the nucleus minimal despite rounding in the running sum.
                if (cumulative >= topP - 1e-12) {
                    nucleus = j + 1;
                    break;
                }
            }
            keep = nucleus;
        }
        double[] filtered = new double[n];
        double sum = 0;
        for (int j = 0; j < keep; j++) {
            sum += p[order[j]];
        }
        for (int j = 0; j < keep; j++) {
            filtered[order[j]] = p[order[j]] / sum;
        }
        return filtered;
    }

    /** Token ids ordered by falling probability, lower id first on ties. */
    static Integer[] rankDescending(double[] p) {
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(p[b], p[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return order;
    }

    /** softmax(logits / temperature) in double precision, shifted by the maximum so that exp never overflows. */
    static double[] softmax(float[] logits, double temperature) {
        checkFinite(logits);
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
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

    /** softmax(logits). */
    static double[] softmax(float[] logits) {
        return softmax(logits, 1.0);
    }

    /** log softmax(logits), computed as logit − max − log Σ exp(logit − max) to stay finite. */
    static double[] logSoftmax(float[] logits) {
        checkFinite(logits);
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
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

    /** Index of the largest value, lowest index on ties. */
    static int argmax(float[] values) {
        checkFinite(values);
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * CTRL repetition penalty (Keskar et al. 2019): for every token marked in {@code seen}, a positive logit is
     * divided by {@code penalty} and a negative one multiplied, so the token always becomes less likely.
     * Returns {@code logits} itself when the penalty is 1, else a penalised copy.
     */
    static float[] penalize(float[] logits, boolean[] seen, double penalty) {
        if (penalty == 1.0) {
            return logits;
        }
        float[] out = logits.clone();
        for (int i = 0; i < out.length; i++) {
            if (seen[i]) {
                out[i] = (float) (out[i] > 0 ? out[i] / penalty : out[i] * penalty);
            }
        }
        return out;
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
