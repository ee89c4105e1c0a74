package io.stepwise.training.data;

/**
 * The seasonal-naive forecaster: the value one season ago ({@code m} steps; 52 for weekly data with a
 * yearly cycle, 12 for monthly, 1 gives the plain naive forecast).
 */
public final class SeasonalNaive {
    private SeasonalNaive() {
    }

    /**
     * Multi-step forecast from the end of {@code history} (Hyndman & Athanasopoulos, FPP3 §5.2):
     * {@code ŷ[T+h] = y[T + h − m(k+1)]} with {@code k = ⌊(h−1)/m⌋}, i.e. the last observed season repeated.
     *
     * @param history observed values, at least {@code season} of them
     * @return forecasts for the {@code horizon} steps after the history
     */
    public static double[] forecast(double[] history, int season, int horizon) {
        checkSeason(season);
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon: expected ≥ 1 but got " + horizon);
        }
        if (history.length < season) {
            throw new IllegalArgumentException("history: " + history.length + " values, expected at least one "
                    + "season (" + season + ")");
        }
        double[] out = new double[horizon];
        int base = history.length - season;
        for (int h = 0; h < horizon; h++) {
            out[h] = history[base + h % season];
        }
        return out;
    }

    /**
     * One-step-ahead forecasts {@code ŷ[t] = y[t − m]} for {@code t} in {@code [from, to)}, using the actual
     * values a season earlier (which, inside a long test tail, may themselves be test values).
     */
    public static double[] oneStepAhead(double[] series, int from, int to, int season) {
        checkSeason(season);
        if (from < season || to > series.length || from >= to) {
            throw new IllegalArgumentException("from/to: expected season (" + season + ") ≤ from < to ≤ "
                    + series.length + " but got " + from + "/" + to);
        }
        double[] out = new double[to - from];
        for (int t = from; t < to; t++) {
            out[t - from] = series[t - season];
        }
        return out;
    }

    /**
     * In-sample MAE of the seasonal-naive forecast on {@code train}: {@code mean_{t ≥ m} |y[t] − y[t−m]|}.
     * This is the MASE denominator (Hyndman & Koehler 2006, seasonal version).
     *
     * @throws IllegalArgumentException when train has no more than {@code season} values, contains NaN, or the
     *                                  scale is 0 (a series that repeats exactly)
     */
    public static double inSampleMae(double[] train, int season) {
        checkSeason(season);
        if (train.length <= season) {
            throw new IllegalArgumentException("train: " + train.length + " values, expected more than the season "
                    + season);
        }
        double sum = 0;
        for (int t = season; t < train.length; t++) {
            double d = train[t] - train[t - season];
            if (Double.isNaN(d)) {
                throw new IllegalArgumentException("train[" + (Double.isNaN(train[t]) ? t : t - season)
                        + "]: expected a value but got NaN (interpolate missing values first)");
            }
            sum += Math.abs(d);
        }
        double scale = sum / (train.length - season);
        if (!(scale > 0)) {
            throw new IllegalArgumentException("train: the seasonal-naive in-sample MAE is 0, MASE is undefined");
        }
        return scale;
    }

    private static void checkSeason(int season) {
        if (season < 1) {
            throw new IllegalArgumentException("season: expected ≥ 1 but got " + season);
        }
    }
}
