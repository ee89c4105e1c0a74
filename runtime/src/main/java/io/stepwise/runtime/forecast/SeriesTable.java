package io.stepwise.runtime.forecast;

import io.stepwise.runtime.ModelFormat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code stepwise.series} object of a global forecaster, read and checked: the series-id column, the keys in
 * training order, and each series' scaling.
 *
 * @param column the series-id column of the training file
 * @param keys   the series, in the order training met them
 * @param mean   [series][feature]
 * @param std    [series][feature], each &gt; 0
 */
record SeriesTable(String column, List<String> keys, double[][] mean, double[][] std) {
    /** Reads the stored object of a model that reads {@code features} features. */
    static SeriesTable read(Map<String, Object> series, int features) {
        String where = ModelFormat.SERIES;
        if (!(series.get("column") instanceof String column) || column.isEmpty()) {
            throw new IllegalArgumentException(where + ".column: expected the series-id column's name but got "
                    + series.get("column"));
        }
        if (!(series.get("keys") instanceof List<?> rawKeys) || rawKeys.isEmpty()) {
            throw new IllegalArgumentException(where + ".keys: expected a non-empty array of series keys");
        }
        List<String> keys = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Object k : rawKeys) {
            if (!(k instanceof String key) || !seen.add(key)) {
                throw new IllegalArgumentException(where + ".keys: expected distinct strings but got " + k);
            }
            keys.add(key);
        }
        double[][] mean = rows(series.get("mean"), where + ".mean", keys.size(), features, false);
        double[][] std = rows(series.get("std"), where + ".std", keys.size(), features, true);
        return new SeriesTable(column, List.copyOf(keys), mean, std);
    }

    /** The position of {@code key}, refused with the keys there are when the model was not trained on it. */
    int index(String key) {
        int i = keys.indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("series: the model was not trained on " + column + " '" + key
                    + "'; its " + keys.size() + " series are " + shortList());
        }
        return i;
    }

    /** The keys for a message: all of them, or the first ten and a count. */
    String shortList() {
        return keys.size() <= 10 ? keys.toString()
                : keys.subList(0, 10).toString().replace("]", ", … (" + (keys.size() - 10) + " more)]");
    }

    private static double[][] rows(Object value, String where, int series, int features, boolean positive) {
        if (!(value instanceof List<?> list) || list.size() != series) {
            throw new IllegalArgumentException(where + ": expected one row per series (" + series + ")");
        }
        double[][] out = new double[series][features];
        for (int s = 0; s < series; s++) {
            if (!(list.get(s) instanceof List<?> row) || row.size() != features) {
                throw new IllegalArgumentException(where + "[" + s + "]: expected " + features
                        + " numbers, one per feature");
            }
            for (int f = 0; f < features; f++) {
                if (!(row.get(f) instanceof Number n) || !Double.isFinite(n.doubleValue())
                        || (positive && n.doubleValue() <= 0)) {
                    throw new IllegalArgumentException(where + "[" + s + "][" + f + "]: expected a finite number"
                            + (positive ? " > 0" : "") + " but got " + row.get(f));
                }
                out[s][f] = n.doubleValue();
            }
        }
        return out;
    }
}
