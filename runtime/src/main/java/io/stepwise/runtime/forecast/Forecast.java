package io.stepwise.runtime.forecast;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A multi-step forecast in the series' own units.
 *
 * @param values         [horizon][feature]: row h is the forecast h + 1 steps after the last observation
 * @param featureNames   one name per feature (column of {@code values})
 * @param historyLength  observations the forecast was conditioned on
 * @param filledValues   missing (NaN) history values that were filled in before forecasting
 * @param dates          one time stamp per step, in the history's format, when the history's last time stamp and
 *                       the model's frequency are known; else empty
 * @param intervals      prediction intervals, one per level the model carries ({@code stepwise.intervals}),
 *                       narrowest first; empty for a model without them
 * @param seriesKey      the series forecast, for a global model over several series
 *                       ({@link Forecaster#forSeries(String)}); else empty
 */
public record Forecast(double[][] values, List<String> featureNames, int historyLength, int filledValues,
                       List<String> dates, List<PredictionInterval> intervals, Optional<String> seriesKey) {

    /**
     * Copies every row and the names.
     *
     * @throws IllegalArgumentException when a row's width differs from the number of features, or the dates or an
     *                                  interval do not have one entry per step
     */
    public Forecast {
        Objects.requireNonNull(values, "values");
        featureNames = List.copyOf(featureNames);
        dates = List.copyOf(dates);
        intervals = List.copyOf(intervals);
        Objects.requireNonNull(seriesKey, "seriesKey");
        values = deepCopy(values);
        for (int h = 0; h < values.length; h++) {
            if (values[h].length != featureNames.size()) {
                throw new IllegalArgumentException("values: row " + h + " has " + values[h].length
                        + " entries but there are " + featureNames.size() + " features");
            }
        }
        if (!dates.isEmpty() && dates.size() != values.length) {
            throw new IllegalArgumentException("dates: expected " + values.length + " (one per step) but got "
                    + dates.size());
        }
        for (PredictionInterval i : intervals) {
            if (i.lower().length != values.length) {
                throw new IllegalArgumentException("intervals: the " + i.label() + " interval has "
                        + i.lower().length + " steps but the forecast has " + values.length);
            }
        }
    }

    /** A forecast without dates or intervals. */
    public Forecast(double[][] values, List<String> featureNames, int historyLength, int filledValues) {
        this(values, featureNames, historyLength, filledValues, List.of(), List.of());
    }

    /** A forecast of a single-series model. */
    public Forecast(double[][] values, List<String> featureNames, int historyLength, int filledValues,
                    List<String> dates, List<PredictionInterval> intervals) {
        this(values, featureNames, historyLength, filledValues, dates, intervals, Optional.empty());
    }

    /** This forecast with one date per step (e.g. from {@link TimeStampFormat#after}). */
    public Forecast withDates(List<String> stepDates) {
        return new Forecast(values, featureNames, historyLength, filledValues, stepDates, intervals, seriesKey);
    }

    /** The interval of {@code level} (e.g. 0.8), when the model carries one. */
    public Optional<PredictionInterval> interval(double level) {
        return intervals.stream().filter(i -> Math.abs(i.level() - level) < 1e-9).findFirst();
    }

    /** A copy of the forecast, [horizon][feature]. */
    @Override
    public double[][] values() {
        return deepCopy(values);
    }

    /** Steps forecast. */
    public int horizon() {
        return values.length;
    }

    /** The forecast value {@code step} steps ahead (1-based: 1 = the next step) of feature {@code feature}. */
    public double value(int step, int feature) {
        if (step < 1 || step > values.length) {
            throw new IllegalArgumentException("step: expected 1.." + values.length + " but got " + step);
        }
        checkFeature(feature);
        return values[step - 1][feature];
    }

    /** The forecast path of one feature, one value per step. */
    public double[] series(int feature) {
        checkFeature(feature);
        double[] out = new double[values.length];
        for (int h = 0; h < values.length; h++) {
            out[h] = values[h][feature];
        }
        return out;
    }

    /** The forecast path of the feature named {@code name}. */
    public double[] series(String name) {
        int index = featureNames.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("name: no feature '" + name + "'; the features are " + featureNames);
        }
        return series(index);
    }

    private void checkFeature(int feature) {
        if (feature < 0 || feature >= featureNames.size()) {
            throw new IllegalArgumentException("feature: expected 0.." + (featureNames.size() - 1) + " but got "
                    + feature);
        }
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = Objects.requireNonNull(a[i], "values row").clone();
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Forecast f && Arrays.deepEquals(values, f.values) && featureNames.equals(f.featureNames)
                && historyLength == f.historyLength && filledValues == f.filledValues && dates.equals(f.dates)
                && intervals.equals(f.intervals) && seriesKey.equals(f.seriesKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.deepHashCode(values), featureNames, historyLength, filledValues, dates, intervals, seriesKey);
    }

    @Override
    public String toString() {
        return "Forecast{" + seriesKey.map(k -> "series=" + k + ", ").orElse("") + "horizon=" + values.length + ", features=" + featureNames + ", historyLength=" + historyLength
                + ", filledValues=" + filledValues + (dates.isEmpty() ? "" : ", dates=" + dates) + ", values="
                + Arrays.deepToString(values) + (intervals.isEmpty() ? "" : ", intervals=" + intervals) + '}';
    }
}
