package io.stepwise.training.tasks.training;

import io.stepwise.training.tasks.protocol.ForecastProtocol.Series;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prediction intervals from the validation forecasts' errors: for every forecast step and feature, the empirical
 * quantiles (1 − level)/2 and (1 + level)/2 of actual − forecast over the rolling validation origins, in model
 * (scaled) units, the way the runtime's {@code Forecaster} reads them ({@code stepwise.intervals}). A step never gets
 * a narrower interval than the step before it (errors compound). Values that were missing in the file are not used.
 * The recorded test metric {@code test_interval_80_coverage} says how often the test tail actually fell inside.
 *
 * @param lower [level][step][feature] offsets to the lower bound
 * @param upper [level][step][feature] offsets to the upper bound
 */
public record ForecastIntervals(double[][][] lower, double[][][] upper) {
    /** The levels a forecaster carries. */
    static final double[] LEVELS = {0.8, 0.95};
    /** The {@code method} recorded in the model. */
    static final String METHOD = "validation_residual_quantiles";

    /** Measures the intervals from forecasts [origin][step][feature] at {@code origins}. */
    static ForecastIntervals measure(Series data, int[] origins, double[][][] forecasts) {
        int horizon = forecasts.length == 0 ? 1 : forecasts[0].length;
        int features = data.values()[0].length;
        double[] std = data.scaling().std();
        double[][][] lower = new double[LEVELS.length][horizon][features];
        double[][][] upper = new double[LEVELS.length][horizon][features];
        for (int f = 0; f < features; f++) {
            for (int h = 0; h < horizon; h++) {
                List<Double> errors = new ArrayList<>();
                for (int i = 0; i < origins.length; i++) {
                    int t = origins[i] + h;
                    if (!data.filled()[t][f]) {
                        errors.add((data.values()[t][f] - forecasts[i][h][f]) / std[f]);
                    }
                }
                double[] e = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                for (int l = 0; l < LEVELS.length; l++) {
                    double lo = e.length == 0 ? (h > 0 ? lower[l][h - 1][f] : 0)
                            : quantile(e, (1 - LEVELS[l]) / 2);
                    double hi = e.length == 0 ? (h > 0 ? upper[l][h - 1][f] : 0)
                            : quantile(e, (1 + LEVELS[l]) / 2);
                    if (h > 0) {
                        lo = Math.min(lo, lower[l][h - 1][f]);
                        hi = Math.max(hi, upper[l][h - 1][f]);
                    }
                    lower[l][h][f] = lo;
                    upper[l][h][f] = hi;
                }
            }
        }
        return new ForecastIntervals(lower, upper);
    }

    /** Linear-interpolated quantile of sorted values. */
    static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    /** Share of the observed target values at {@code origins} inside the interval of level {@code l}. */
    double coverage(int l, Series data, int[] origins, double[][][] forecasts) {
        double std = data.scaling().std()[0];
        int inside = 0;
        int count = 0;
        for (int i = 0; i < origins.length; i++) {
            for (int h = 0; h < forecasts[i].length; h++) {
                int t = origins[i] + h;
                if (data.filled()[t][0]) {
                    continue;
                }
                int stored = Math.min(h, lower[l].length - 1);
                double v = data.values()[t][0];
                double lo = forecasts[i][h][0] + lower[l][stored][0] * std;
                double hi = forecasts[i][h][0] + upper[l][stored][0] * std;
                inside += v >= lo && v <= hi ? 1 : 0;
                count++;
            }
        }
        return count == 0 ? Double.NaN : (double) inside / count;
    }

    /** e.g. {@code test_interval_80_coverage}. */
    static String coverageKey(int l) {
        return String.format(Locale.ROOT, "test_interval_%d_coverage", Math.round(LEVELS[l] * 100));
    }

    @Override
    public String toString() {
        return "ForecastIntervals{lower=" + Arrays.deepToString(lower) + ", upper=" + Arrays.deepToString(upper) + '}';
    }
}
