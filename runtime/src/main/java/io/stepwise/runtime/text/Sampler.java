package io.stepwise.runtime.text;

import io.stepwise.runtime.Logits;
import java.util.SplittableRandom;

/**
 * The token-choice arithmetic of {@link TextGenerator}: CTRL repetition penalty, temperature, top-k and top-p
 * filtering over {@link Logits#softmax}, and one categorical draw. Stateless apart from its random source.
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
        double[] p = Logits.softmax(logits, temperature);
        int n = p.length;
        boolean limitK = topK > 0 && topK < n;
        if (!limitK && topP >= 1) {
            return p;
        }
        int[] order = Logits.rankDescending(p);
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
}
