package io.stepwise.training.tasks.training;

import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.training.tasks.protocol.ForecastProtocol.Series;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prediction intervals from the validation forecasts' errors: for every forecast step and feature, the empirical
 * quantiles (1 − level)/2 and (1 + level)/2 of the errors over the rolling validation origins of every series, the
 * way the runtime's {@code Forecaster} reads them ({@code stepwise.intervals}). A step never gets a narrower interval
 * than the step before it (errors compound). Values that were missing in the file are not used. The recorded test
 * metric {@code test_interval_80_coverage} says how often the test tails actually fell inside.
 *
 * <p><b>Relative or absolute.</b> When the series' errors grow with their level — every training value is positive
 * (sales, passengers, flows) and, over the training part, the size of the seasonal change |y(t) − y(t − season)|
 * rises with the level |y(t − season)| (Spearman rank correlation at least {@value #LEVEL_DEPENDENCE}, the mean over
 * the series of a global model) — the errors are measured as shares of the forecast, (actual − forecast) /
 * |forecast|, so the interval's width follows the level: a series that grows past its validation part gets wider
 * bands ({@value Forecaster#RELATIVE_INTERVALS}). Otherwise they are in model units, (actual − forecast) / std, per
 * series' scaling ({@value #METHOD}): a level shift downwards or a series without that pattern would get bands too
 * narrow from shares. The seasonal changes are the baseline's errors, which no model selection has seen.
 *
 * @param lower            [level][step][feature] offsets to the lower bound
 * @param upper            [level][step][feature] offsets to the upper bound
 * @param relative         whether the offsets are shares of the forecast rather than of the scaling std
 * @param levelDependence  the rank correlation of seasonal change and level that decided it (NaN: not all positive)
 */
public record ForecastIntervals(double[][][] lower, double[][][] upper, boolean relative, double levelDependence) {
    /** The rank correlation of seasonal change and level from which intervals are relative. */
    static final double LEVEL_DEPENDENCE = 0.3;
    /** The levels a forecaster carries. */
    static final double[] LEVELS = {0.8, 0.95};
    /** The {@code method} recorded in the model for offsets in model (scaled) units. */
    static final String METHOD = "validation_residual_quantiles";

    /** Measures the intervals from each series' forecasts [origin][step][feature] at its {@code origins}. */
    static ForecastIntervals measure(List<Series> data, List<int[]> origins, List<double[][][]> forecasts) {
        double dependence = data.stream().allMatch(ForecastIntervals::positive)
                ? data.stream().mapToDouble(ForecastIntervals::levelDependence).average().orElse(Double.NaN)
                : Double.NaN;
        boolean relative = dependence >= LEVEL_DEPENDENCE;
        int horizon = forecasts.stream().filter(f -> f.length > 0).findFirst().map(f -> f[0].length).orElse(1);
        int features = data.get(0).values()[0].length;
        double[][][] lower = new double[LEVELS.length][horizon][features];
        double[][][] upper = new double[LEVELS.length][horizon][features];
        for (int f = 0; f < features; f++) {
            for (int h = 0; h < horizon; h++) {
                List<Double> errors = new ArrayList<>();
                for (int s = 0; s < data.size(); s++) {
                    Series d = data.get(s);
                    for (int i = 0; i < origins.get(s).length; i++) {
                        int t = origins.get(s)[i] + h;
                        double forecast = forecasts.get(s)[i][h][f];
                        double unit = relative ? Math.abs(forecast) : d.scaling().std()[f];
                        if (!d.filled()[t][f] && unit > 0) {
                            errors.add((d.values()[t][f] - forecast) / unit);
                        }
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
        return new ForecastIntervals(lower, upper, relative, dependence);
    }

    /** Whether every training value of every column is above zero. */
    private static boolean positive(Series d) {
        for (int t = 0; t < d.split().trainLength(); t++) {
            for (double v : d.values()[t]) {
                if (!(v > 0)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Spearman's rank correlation, over the training part of the first column, between the level y(t − season) and
     * the seasonal change |y(t) − y(t − season)| (season 1: the step change); 0 when there are fewer than 3 pairs.
     */
    static double levelDependence(Series d) {
        int lag = Math.max(1, d.season());
        int n = d.split().trainLength() - lag;
        if (n < 3) {
            return 0;
        }
        double[] level = new double[n];
        double[] change = new double[n];
        for (int t = 0; t < n; t++) {
            level[t] = Math.abs(d.values()[t][0]);
            change[t] = Math.abs(d.values()[t + lag][0] - d.values()[t][0]);
        }
        return correlation(ranks(level), ranks(change));
    }

    /** Ranks 0..n−1, ties given their mean rank. */
    static double[] ranks(double[] x) {
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (i, j) -> Double.compare(x[i], x[j]));
        double[] r = new double[x.length];
        for (int i = 0; i < x.length; ) {
            int j = i;
            while (j + 1 < x.length && x[order[j + 1]] == x[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                r[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return r;
    }

    private static double correlation(double[] a, double[] b) {
        double ma = Arrays.stream(a).average().orElse(0);
        double mb = Arrays.stream(b).average().orElse(0);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }

    /** The {@code method} recorded in the model. */
    String method() {
        return relative ? Forecaster.RELATIVE_INTERVALS : METHOD;
    }

    /** Linear-interpolated quantile of sorted values. */
    static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    /**
     * One bound in the series' units, as the runtime computes it: forecast + offset × (|forecast| or std).
     *
     * @param table {@link #lower()} or {@link #upper()}
     */
    double bound(double[][][] table, int l, int h, int f, double forecast, double std) {
        int stored = Math.min(h, table[l].length - 1);
        return forecast + table[l][stored][f] * (relative ? Math.abs(forecast) : std);
    }

    /** Share of the observed target values of every series at its {@code origins} inside the interval of level l. */
    double coverage(int l, List<Series> data, List<int[]> origins, List<double[][][]> forecasts) {
        int inside = 0;
        int count = 0;
        for (int s = 0; s < data.size(); s++) {
            Series d = data.get(s);
            double std = d.scaling().std()[0];
            for (int i = 0; i < origins.get(s).length; i++) {
                double[][] forecast = forecasts.get(s)[i];
                for (int h = 0; h < forecast.length; h++) {
                    int t = origins.get(s)[i] + h;
                    if (d.filled()[t][0]) {
                        continue;
                    }
                    double v = d.values()[t][0];
                    inside += v >= bound(lower, l, h, 0, forecast[h][0], std)
                            && v <= bound(upper, l, h, 0, forecast[h][0], std) ? 1 : 0;
                    count++;
                }
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
        return "ForecastIntervals{" + method() + ", lower=" + Arrays.deepToString(lower) + ", upper="
                + Arrays.deepToString(upper) + '}';
    }
}
