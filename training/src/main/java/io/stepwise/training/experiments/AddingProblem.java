package io.stepwise.training.experiments;

import java.util.Random;

/**
 * The adding problem (Hochreiter &amp; Schmidhuber, 1997, in the form of Le, Jaitly &amp; Hinton, 2015): a sequence
 * of {@code length} steps with two features, a value drawn uniformly from [0, 1) and a marker that is 1 at exactly
 * two steps — one in the first half, one in the second — and 0 elsewhere. The target is the sum of the two marked
 * values. Predicting the mean, 1, gives a mean squared error of Var(U₁ + U₂) = 2/12 ≈ 0.167; predicting one
 * marked value plus 0.5 (using only one of the two) gives 1/12 ≈ 0.083.
 *
 * @param length   steps per sequence (T)
 * @param inputs   [n·T·2] row-major: sequence, step, (value, marker)
 * @param targets  [n] the sums
 * @param count    number of sequences (n)
 */
public record AddingProblem(int length, float[] inputs, float[] targets, int count) {
    /** Mean squared error of always predicting the expected sum, 1. */
    public static final double TRIVIAL_MSE = 2.0 / 12.0;
    /** Mean squared error of predicting one marked value + 0.5. */
    public static final double ONE_NUMBER_MSE = 1.0 / 12.0;

    /** {@code count} sequences of {@code length} steps drawn from {@code random}. */
    public static AddingProblem generate(int count, int length, Random random) {
        if (length < 2) {
            throw new IllegalArgumentException("length: expected at least 2 steps but got " + length);
        }
        if (count < 1) {
            throw new IllegalArgumentException("count: expected at least 1 sequence but got " + count);
        }
        float[] x = new float[count * length * 2];
        float[] y = new float[count];
        int half = length / 2;
        for (int s = 0; s < count; s++) {
            int first = random.nextInt(half);
            int second = half + random.nextInt(length - half);
            float sum = 0;
            for (int t = 0; t < length; t++) {
                float value = random.nextFloat();
                int at = (s * length + t) * 2;
                x[at] = value;
                if (t == first || t == second) {
                    x[at + 1] = 1f;
                    sum += value;
                }
            }
            y[s] = sum;
        }
        return new AddingProblem(length, x, y, count);
    }

    /** Sequences {@code from} (inclusive) to {@code to} (exclusive) as a flat [n·T·2] array. */
    public float[] inputs(int from, int to) {
        float[] out = new float[(to - from) * length * 2];
        System.arraycopy(inputs, from * length * 2, out, 0, out.length);
        return out;
    }

    /** Targets {@code from} to {@code to}. */
    public float[] targets(int from, int to) {
        float[] out = new float[to - from];
        System.arraycopy(targets, from, out, 0, out.length);
        return out;
    }

    /** Variance of the targets: the MSE of predicting their mean. */
    public double targetVariance() {
        double mean = 0;
        for (float v : targets) {
            mean += v;
        }
        mean /= count;
        double ss = 0;
        for (float v : targets) {
            ss += (v - mean) * (v - mean);
        }
        return ss / count;
    }
}
