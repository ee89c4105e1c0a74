package io.stepwise.training.experiments;

import java.util.Arrays;
import java.util.Locale;

/**
 * Mean, sample standard deviation, minimum and maximum of repeated measurements (seeds, repetitions).
 *
 * @param n    number of values
 * @param mean arithmetic mean
 * @param sd   sample standard deviation (n − 1); 0 for a single value
 * @param min  smallest value
 * @param max  largest value
 */
public record Stats(int n, double mean, double sd, double min, double max) {
    /** The statistics of {@code values}; at least one value required. */
    public static Stats of(double... values) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException("values: expected at least one value");
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = values.length > 1 ? Math.sqrt(ss / (values.length - 1)) : 0;
        return new Stats(values.length, mean, sd, Arrays.stream(values).min().orElseThrow(),
                Arrays.stream(values).max().orElseThrow());
    }

    /** The median of {@code values}. */
    public static double median(double... values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** {@code mean ± sd (min–max, n=N)} with {@code digits} significant digits. */
    public String format(int digits) {
        String f = "%." + digits + "g";
        return String.format(Locale.ROOT, f + " ± " + f + " (" + f + "–" + f + ", n=%d)", mean, sd, min, max, n);
    }
}
