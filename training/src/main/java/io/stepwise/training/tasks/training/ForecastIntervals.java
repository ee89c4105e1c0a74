package io.stepwise.training.tasks.training;

import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.training.tasks.protocol.ForecastProtocol.Series;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prediction intervals calibrated on held-out forecasts (split conformal): for every forecast step and feature, the
 * conformal quantile of the absolute errors of the rolling validation forecasts of every series — forecasts from
 * several origins inside the validation part, which the weights never trained on — the way the runtime's {@code
 * Forecaster} reads them ({@code stepwise.intervals}). Intervals are symmetric around the forecast: a bias that the
 * few validation origins happen to share says little about the test tail, and quantiles of signed errors from them
 * gave intervals that missed most test values. A step never gets a narrower interval than the step before it (errors
 * compound). Values that were missing in the file are not used. The recorded test metrics {@code
 * test_interval_80_coverage} and {@code test_interval_95_coverage} say how often the test tails actually fell
 * inside.
 *
 * <p><b>Finite samples.</b> With m independent validation errors at a step, the interval of level L is the k-th
 * smallest absolute error, k = ⌈(m + 1) L⌉ (it covers at least L of a new, exchangeable error). The errors of
 * step j from consecutive origins are not independent: their forecast windows and targets overlap, and j-step errors
 * are correlated up to j − 1 origins apart, so a series' n errors at step j count as m = ⌈n / j⌉ independent ones
 * (summed over the series of a global model). The quantile is then taken at k / m of all n errors. When k > m — too
 * few for that level (m below L / (1 − L): 4 for 80 %, 19 for 95 %) — no error is known to cover L; the largest covers
 * about m / (m + 1), so it is widened by the ratio of normal quantiles z((1 + L) / 2) / z((1 + m / (m + 1)) / 2) and
 * the level is recorded as extrapolated ({@link #extrapolated()}, {@code calibration} in the model) rather than
 * passed off as measured.
 *
 * <p><b>Relative or absolute.</b> When the series' errors grow with their level — every training value is positive
 * (sales, passengers, flows) and, over the training part, the size of the seasonal change |y(t) − y(t − season)|
 * rises with the level |y(t − season)| (Spearman rank correlation at least {@value #LEVEL_DEPENDENCE}, the mean over
 * the series of a global model) — the errors are measured as shares of the forecast, |actual − forecast| /
 * |forecast|, so the interval's width follows the level: a series that grows past its validation part gets wider
 * bands ({@value Forecaster#RELATIVE_INTERVALS}). Otherwise they are in model units, |actual − forecast| / std, per
 * series' scaling ({@value #METHOD}): a level shift downwards or a series without that pattern would get bands too
 * narrow from shares. The seasonal changes are the baseline's errors, which no model selection has seen.
 *
 * @param lower            [level][step][feature] offsets to the lower bound
 * @param upper            [level][step][feature] offsets to the upper bound
 * @param relative         whether the offsets are shares of the forecast rather than of the scaling std
 * @param levelDependence  the rank correlation of seasonal change and level that decided it (NaN: not all positive)
 * @param errors           [step] validation errors the first feature's offsets were calibrated on
 * @param independent      [step] how many of them count as independent (m)
 * @param extrapolated     [level] whether some step had too few independent errors for that level's rank
 */
public record ForecastIntervals(double[][][] lower, double[][][] upper, boolean relative, double levelDependence,
                                int[] errors, int[] independent, boolean[] extrapolated) {
    /** The rank correlation of seasonal change and level from which intervals are relative. */
    static final double LEVEL_DEPENDENCE = 0.3;
    /** The levels a forecaster carries. */
    static final double[] LEVELS = {0.8, 0.95};
    /** The {@code method} recorded in the model for offsets in model (scaled) units. */
    static final String METHOD = "validation_residual_quantiles";
    /** The {@code calibration.quantile} recorded in the model. */
    static final String CONFORMAL = "split_conformal";

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
        int[] counts = new int[horizon];
        int[] independent = new int[horizon];
        boolean[] extrapolated = new boolean[LEVELS.length];
        for (int f = 0; f < features; f++) {
            for (int h = 0; h < horizon; h++) {
                List<Double> errors = new ArrayList<>();
                int m = 0;
                for (int s = 0; s < data.size(); s++) {
                    Series d = data.get(s);
                    int before = errors.size();
                    for (int i = 0; i < origins.get(s).length; i++) {
                        int t = origins.get(s)[i] + h;
                        double forecast = forecasts.get(s)[i][h][f];
                        double unit = relative ? Math.abs(forecast) : d.scaling().std()[f];
                        if (!d.filled()[t][f] && unit > 0) {
                            errors.add(Math.abs(d.values()[t][f] - forecast) / unit);
                        }
                    }
                    // Step h + 1 errors of origins closer than h + 1 apart share most of their window and target.
                    m += (errors.size() - before + h) / (h + 1);
                }
                double[] e = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                if (f == 0) {
                    counts[h] = e.length;
                    independent[h] = m;
                }
                for (int l = 0; l < LEVELS.length; l++) {
                    double q = e.length == 0 ? (h > 0 ? upper[l][h - 1][f] : 0) : conformal(e, m, LEVELS[l]);
                    if (f == 0 && e.length > 0 && rank(m, LEVELS[l]) > m) {
                        extrapolated[l] = true;
                    }
                    if (h > 0) {
                        q = Math.max(q, upper[l][h - 1][f]);
                    }
                    lower[l][h][f] = -q;
                    upper[l][h][f] = q;
                }
            }
        }
        return new ForecastIntervals(lower, upper, relative, dependence, counts, independent, extrapolated);
    }

    /** The rank k = ⌈(n + 1) level⌉ of the conformal quantile of n scores (the rounding forgives float noise). */
    static int rank(int n, double level) {
        return (int) Math.ceil((n + 1) * level - 1e-9);
    }

    /**
     * The split-conformal quantile at {@code level} of sorted non-negative scores of which {@code independent} count
     * as independent: the one at k / m of them, k = ⌈(m + 1) level⌉; beyond the largest score, that one widened by the
     * ratio of normal quantiles (see the class comment).
     */
    static double conformal(double[] sorted, int independent, double level) {
        int n = sorted.length;
        int m = Math.max(1, Math.min(independent, n));
        int k = rank(m, level);
        if (k <= m) {
            return sorted[Math.min(n, (int) Math.ceil((double) k / m * n - 1e-9)) - 1];
        }
        double covered = (double) m / (m + 1);
        return sorted[n - 1] * normalQuantile((1 + level) / 2) / normalQuantile((1 + covered) / 2);
    }

    /**
     * The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9), for p in (0, 1).
     */
    static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p: expected a probability in (0, 1) but got " + p);
        }
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low || p > 1 - low) {
            double q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
            double x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
            return p < low ? x : -x;
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }

    /**
     * The {@code calibration} object recorded in {@code stepwise.intervals}: what the offsets were measured on, so
     * that a reader can tell a measured level from an extrapolated one.
     */
    Map<String, Object> calibration() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("quantile", CONFORMAL);
        m.put("scores", relative ? "absolute_error_share_of_forecast" : "absolute_error_over_std");
        m.put("validation_errors_per_step", Arrays.stream(errors).boxed().toList());
        m.put("independent_errors_per_step", Arrays.stream(independent).boxed().toList());
        List<Double> guessed = new ArrayList<>();
        for (int l = 0; l < LEVELS.length; l++) {
            if (extrapolated[l]) {
                guessed.add(LEVELS[l]);
            }
        }
        m.put("extrapolated_levels", guessed);
        return m;
    }

    /**
     * One line for the training output, e.g. {@code intervals: split-conformal quantiles of absolute errors on 13
     * validation forecasts per step (13 to 2 independent); 80 %, 95 % extrapolated at some steps: too few independent
     * errors for their rank (needs at least 4, 19)}.
     */
    String describe() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "intervals: split-conformal quantiles of %s "
                + "on %s validation forecasts per step (%s independent)", relative
                ? "absolute errors as shares of the forecast" : "absolute errors", span(errors), span(independent)));
        List<String> levels = new ArrayList<>();
        List<String> needs = new ArrayList<>();
        for (int l = 0; l < LEVELS.length; l++) {
            if (extrapolated[l]) {
                levels.add(Math.round(LEVELS[l] * 100) + " %");
                needs.add(Integer.toString((int) Math.ceil(LEVELS[l] / (1 - LEVELS[l]) - 1e-9)));
            }
        }
        if (!levels.isEmpty()) {
            sb.append("; ").append(String.join(", ", levels)).append(" extrapolated from the largest error under "
                    + "normal tails at some steps: too few independent errors for their rank (needs at least ")
                    .append(String.join(", ", needs)).append(')');
        }
        return sb.toString();
    }

    /** e.g. {@code 13}, or {@code 13 to 2} from the first step to the last. */
    private static String span(int[] counts) {
        int first = counts.length == 0 ? 0 : counts[0];
        int last = counts.length == 0 ? 0 : counts[counts.length - 1];
        return first == last ? Integer.toString(first) : first + " to " + last;
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
                + Arrays.deepToString(upper) + ", errors=" + Arrays.toString(errors) + ", independent="
                + Arrays.toString(independent) + ", extrapolated="
                + Arrays.toString(extrapolated) + '}';
    }
}
