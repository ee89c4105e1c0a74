package io.stepwise.training.data;

import java.util.List;
import java.util.Optional;

/**
 * A table of numeric series over time, as read by {@link SeriesCsv}.
 *
 * <p>{@code values()[t][c]} is the value of column {@code c} at time step {@code t}; a missing value is
 * {@code NaN}. Rows are kept in file order and assumed equally spaced (the time stamps are carried as text,
 * for labels and plots, not interpreted).
 *
 * <p><b>Missing values</b> are handled explicitly with {@link #interpolate()}: interior gaps are filled by
 * straight-line interpolation between the nearest observed values of the same column; a gap at the start or
 * end, which has an observed value on one side only, takes that nearest observed value. The result reports
 * how many values were filled and which ones, so the filled share of any split can be shown.
 *
 * @param source     file the data came from (for messages)
 * @param timeColumn name of the time-stamp column, or null when there is none
 * @param timeStamps one per row (empty list when there is no time column)
 * @param columns    names of the numeric columns
 * @param values     [time][column], NaN = missing
 */
public record TimeSeries(String source, String timeColumn, List<String> timeStamps, List<String> columns,
                         double[][] values) {

    public TimeSeries {
        timeStamps = List.copyOf(timeStamps);
        columns = List.copyOf(columns);
        if (!timeStamps.isEmpty() && timeStamps.size() != values.length) {
            throw new IllegalArgumentException("timeStamps: expected " + values.length + " (one per row) but got "
                    + timeStamps.size());
        }
        for (int t = 0; t < values.length; t++) {
            if (values[t].length != columns.size()) {
                throw new IllegalArgumentException("values[" + t + "]: expected " + columns.size()
                        + " columns but got " + values[t].length);
            }
        }
    }

    /** Result of {@link #interpolate()}. */
    public record Interpolation(TimeSeries series, int filledCount, boolean[][] filled) {
        /** Filled values in rows [from, to), all columns. */
        public int filledIn(int from, int to) {
            int n = 0;
            for (int t = from; t < to; t++) {
                for (boolean f : filled[t]) {
                    if (f) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    /** Number of time steps. */
    public int length() {
        return values.length;
    }

    /** Number of numeric columns. */
    public int width() {
        return columns.size();
    }

    public Optional<String> timeColumnName() {
        return Optional.ofNullable(timeColumn);
    }

    /** Index of a named column. */
    public int columnIndex(String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("column: expected one of " + columns + " but got '" + name + "'");
        }
        return i;
    }

    /** A copy of one column. */
    public double[] column(int c) {
        if (c < 0 || c >= width()) {
            throw new IllegalArgumentException("c: expected 0.." + (width() - 1) + " but got " + c);
        }
        double[] out = new double[values.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = values[t][c];
        }
        return out;
    }

    /** A deep copy of the values. */
    public double[][] valuesCopy() {
        double[][] out = new double[values.length][];
        for (int t = 0; t < out.length; t++) {
            out[t] = values[t].clone();
        }
        return out;
    }

    /** Number of missing (NaN) values. */
    public int missingCount() {
        int n = 0;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isNaN(v)) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Fills missing values as described in the class javadoc.
     *
     * @throws IllegalArgumentException when a column has no observed value at all
     */
    public Interpolation interpolate() {
        double[][] out = valuesCopy();
        boolean[][] filled = new boolean[values.length][width()];
        int count = 0;
        for (int c = 0; c < width(); c++) {
            int previous = -1;
            for (int t = 0; t <= out.length; t++) {
                if (t < out.length && Double.isNaN(out[t][c])) {
                    continue;
                }
                // Rows previous+1 .. t-1 are a gap bounded by observed rows previous and t (either may be absent).
                for (int g = previous + 1; g < t; g++) {
                    if (previous < 0 && t == out.length) {
                        throw new IllegalArgumentException(source + ": column '" + columns.get(c)
                                + "' has no observed value to interpolate from");
                    }
                    double v;
                    if (previous < 0) {
                        v = out[t][c];
                    } else if (t == out.length) {
                        v = out[previous][c];
                    } else {
                        double w = (double) (g - previous) / (t - previous);
                        v = out[previous][c] + w * (out[t][c] - out[previous][c]);
                    }
                    out[g][c] = v;
                    filled[g][c] = true;
                    count++;
                }
                previous = t;
            }
        }
        return new Interpolation(new TimeSeries(source, timeColumn, timeStamps, columns, out), count, filled);
    }
}
