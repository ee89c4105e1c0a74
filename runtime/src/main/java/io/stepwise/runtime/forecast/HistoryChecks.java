package io.stepwise.runtime.forecast;

import java.util.List;

/** The checks of a forecaster's input rows, and the interpolation of their missing values. */
final class HistoryChecks {
    private HistoryChecks() {
    }

    /** A copy of {@code history} after checking that it is non-empty, rectangular and free of infinities. */
    static double[][] copyChecked(double[][] history, List<String> featureNames) {
        if (history.length == 0) {
            throw new IllegalArgumentException("history: expected at least one step but got none");
        }
        double[][] copy = new double[history.length][];
        for (int t = 0; t < history.length; t++) {
            copy[t] = checkRow(history[t], "history row " + t, featureNames);
        }
        return copy;
    }

    /** A copy of one observation after checking its width and that it holds no infinity (NaN = missing). */
    static double[] checkRow(double[] row, String name, List<String> featureNames) {
        if (row == null) {
            throw new IllegalArgumentException(name + ": is null");
        }
        if (row.length != featureNames.size()) {
            throw new IllegalArgumentException(name + ": expected " + featureNames.size() + " values " + featureNames
                    + " but got " + row.length);
        }
        for (int f = 0; f < row.length; f++) {
            if (Double.isInfinite(row[f])) {
                throw new IllegalArgumentException(name + ": value of feature '" + featureNames.get(f) + "' is "
                        + row[f] + "; use NaN for a missing value");
            }
        }
        return row.clone();
    }

    /**
     * Fills NaN values in place, per feature: linear interpolation between the nearest known values before and
     * after, or the nearest known value for a gap at the start or end.
     *
     * @return how many values were filled
     * @throws IllegalArgumentException when a feature has no known value at all
     */
    static int fillMissing(double[][] rows, List<String> featureNames) {
        int filled = 0;
        for (int f = 0; f < featureNames.size(); f++) {
            int previous = -1;
            for (int t = 0; t <= rows.length; t++) {
                if (t < rows.length && Double.isNaN(rows[t][f])) {
                    continue;
                }
                int gapStart = previous + 1;
                if (t == rows.length && previous < 0) {
                    throw new IllegalArgumentException("history: feature '" + featureNames.get(f)
                            + "' has no known value in " + rows.length + " step(s); at least one is needed");
                }
                for (int g = gapStart; g < t; g++) {
                    if (previous < 0) {
                        rows[g][f] = rows[t][f];
                    } else if (t == rows.length) {
                        rows[g][f] = rows[previous][f];
                    } else {
                        double w = (double) (g - previous) / (t - previous);
                        rows[g][f] = rows[previous][f] + w * (rows[t][f] - rows[previous][f]);
                    }
                    filled++;
                }
                previous = t;
            }
        }
        return filled;
    }
}
