package io.stepwise.bench;

import java.util.Arrays;

/** Small order statistics over measured values. */
final class Stats {
    private Stats() {
    }

    /** The median (mean of the middle two for an even count); NaN for no values. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
