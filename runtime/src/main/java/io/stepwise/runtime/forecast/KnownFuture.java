package io.stepwise.runtime.forecast;

import io.stepwise.runtime.ModelFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The covariates of a forecaster whose future values are known in advance ({@code stepwise.forecast}
 * {@code "known_features"}: a calendar, a planned price): the model was trained with their actual values over the
 * horizon, so a forecast takes them as input instead of feeding back its own predictions of them.
 */
final class KnownFuture {
    private static final KnownFuture NONE = new KnownFuture(List.of(), new int[0]);

    private final List<String> names;
    private final int[] columns;

    private KnownFuture(List<String> names, int[] columns) {
        this.names = List.copyOf(names);
        this.columns = columns;
    }

    /** Reads {@code known_features} from a model's forecast settings; absent = none. */
    static KnownFuture of(Map<String, Object> forecast, List<String> featureNames) {
        Object value = forecast.get("known_features");
        if (value == null) {
            return NONE;
        }
        String where = ModelFormat.FORECAST + ".known_features";
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(where + ": expected an array of feature names but got " + value);
        }
        List<String> names = new ArrayList<>();
        int[] columns = new int[list.size()];
        for (int i = 0; i < list.size(); i++) {
            int column = featureNames.indexOf(String.valueOf(list.get(i)));
            if (column <= 0 || names.contains(String.valueOf(list.get(i)))) {
                throw new IllegalArgumentException(where + "[" + i + "]: expected a distinct covariate among "
                        + featureNames.subList(Math.min(1, featureNames.size()), featureNames.size()) + " but got "
                        + list.get(i));
            }
            names.add(String.valueOf(list.get(i)));
            columns[i] = column;
        }
        return new KnownFuture(names, columns);
    }

    boolean isEmpty() {
        return columns.length == 0;
    }

    List<String> names() {
        return names;
    }

    /**
     * A copy of {@code future}, [step][known feature], after checking it: at least one step, one finite value per
     * known feature in each.
     */
    double[][] check(double[][] future) {
        if (future == null || future.length == 0) {
            throw new IllegalArgumentException("knownFuture: expected at least one step of " + names + " but got none");
        }
        double[][] copy = new double[future.length][];
        for (int h = 0; h < future.length; h++) {
            if (future[h] == null || future[h].length != names.size()) {
                throw new IllegalArgumentException("knownFuture: step " + (h + 1) + " should hold " + names.size()
                        + " values " + names + " but holds " + (future[h] == null ? "none" : future[h].length));
            }
            for (int k = 0; k < names.size(); k++) {
                if (!Double.isFinite(future[h][k])) {
                    throw new IllegalArgumentException("knownFuture: step " + (h + 1) + ", '" + names.get(k)
                            + "' is " + future[h][k] + "; a value known in advance must be a finite number");
                }
            }
            copy[h] = future[h].clone();
        }
        return copy;
    }

    /** Puts the known values of one step into the model's next input row (model units). */
    void feed(float[] next, double[] step, double[] mean, double[] std) {
        for (int k = 0; k < columns.length; k++) {
            next[columns[k]] = (float) ((step[k] - mean[columns[k]]) / std[columns[k]]);
        }
    }

    /** Reports the given values, not the model's predictions of them, in a forecast row (series units). */
    void report(double[] values, double[] step) {
        for (int k = 0; k < columns.length; k++) {
            values[columns[k]] = step[k];
        }
    }
}
