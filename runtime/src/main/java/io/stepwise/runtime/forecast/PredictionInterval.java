package io.stepwise.runtime.forecast;

import java.util.Arrays;
import java.util.Objects;

/**
 * A central prediction interval around a forecast: with probability about {@code level} the actual value lies
 * between {@code lower} and {@code upper}, as measured on the model's validation forecasts (see
 * docs/model-format.md, {@code stepwise.intervals}).
 *
 * @param level nominal coverage in (0, 1), e.g. 0.8
 * @param lower [horizon][feature], in the series' units
 * @param upper [horizon][feature], in the series' units
 */
public record PredictionInterval(double level, double[][] lower, double[][] upper) {
    /** Copies the bounds in; checks the level and that both bounds have the same shape. */
    public PredictionInterval {
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level: expected a coverage in (0, 1) but got " + level);
        }
        lower = copy(Objects.requireNonNull(lower, "lower"));
        upper = copy(Objects.requireNonNull(upper, "upper"));
        if (lower.length != upper.length) {
            throw new IllegalArgumentException("lower/upper: " + lower.length + " and " + upper.length + " steps");
        }
    }

    /** A copy of the lower bounds, [horizon][feature]. */
    @Override
    public double[][] lower() {
        return copy(lower);
    }

    /** A copy of the upper bounds, [horizon][feature]. */
    @Override
    public double[][] upper() {
        return copy(upper);
    }

    /** The lower bound {@code step} steps ahead (1-based) of {@code feature}. */
    public double lower(int step, int feature) {
        return lower[step - 1][feature];
    }

    /** The upper bound {@code step} steps ahead (1-based) of {@code feature}. */
    public double upper(int step, int feature) {
        return upper[step - 1][feature];
    }

    /** The level as a percentage label, e.g. {@code 80%}. */
    public String label() {
        double p = level * 100;
        return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = Objects.requireNonNull(a[i], "row").clone();
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PredictionInterval p && level == p.level && Arrays.deepEquals(lower, p.lower)
                && Arrays.deepEquals(upper, p.upper);
    }

    @Override
    public int hashCode() {
        return Objects.hash(level, Arrays.deepHashCode(lower), Arrays.deepHashCode(upper));
    }

    @Override
    public String toString() {
        return "PredictionInterval{" + label() + ", lower=" + Arrays.deepToString(lower) + ", upper="
                + Arrays.deepToString(upper) + '}';
    }
}
