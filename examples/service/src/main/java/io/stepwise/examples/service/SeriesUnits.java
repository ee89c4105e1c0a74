package io.stepwise.examples.service;

import io.stepwise.runtime.ModelFormat.Task;
import io.stepwise.runtime.ModelInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A forecaster's series units ↔ model units, from its {@code stepwise.scaling} metadata: model value =
 * (x − mean) / std, as {@code Forecaster} does; and the parsing of JSON series rows (null = missing).
 */
final class SeriesUnits {
    private final double[] mean;
    private final double[] std;
    private final List<String> featureNames;

    private SeriesUnits(double[] mean, double[] std, List<String> featureNames) {
        this.mean = mean;
        this.std = std;
        this.featureNames = featureNames;
    }

    /**
     * @throws UnsupportedOperationException when the model is not a forecaster (feature input, per-step head,
     *                                       output size = feature count)
     */
    static SeriesUnits of(String model, ModelInfo info) {
        if ((info.task() != Task.FORECASTER && info.task() != Task.UNKNOWN) || info.isTokenInput()
                || !info.isPerStep() || info.outputSize() != info.inputSize()) {
            throw new UnsupportedOperationException("model " + model + ": forecasting needs a forecaster (feature"
                    + " input, per-step head, one output per feature) but it is a " + info.task() + " with "
                    + info.inputKind() + " input");
        }
        if (!info.series().isEmpty()) {
            // A global forecaster scales every series its own way (stepwise.series); one scaling for all would be
            // silently wrong, so the service refuses it until requests can name their series.
            throw new UnsupportedOperationException("model " + model + ": a global forecaster over several series"
                    + " (column '" + info.series().get("column") + "') scales each series its own way; the service"
                    + " does not pick a series yet — use Forecaster.forSeries(key) in Java or stepwise forecast");
        }
        int f = info.inputSize();
        double[] m = new double[f];
        double[] s = new double[f];
        Arrays.fill(s, 1);
        if (info.scaling().isPresent()) {
            m = info.scaling().get().mean();
            s = info.scaling().get().std();
        }
        List<String> names = info.featureNames().size() == f ? info.featureNames() : defaultNames(f);
        return new SeriesUnits(m, s, names);
    }

    private static List<String> defaultNames(int f) {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < f; i++) {
            n.add("x" + i);
        }
        return n;
    }

    int features() {
        return mean.length;
    }

    List<String> featureNames() {
        return featureNames;
    }

    float[] scale(double[] row) {
        float[] out = new float[row.length];
        for (int i = 0; i < row.length; i++) {
            out[i] = (float) ((row[i] - mean[i]) / std[i]);
        }
        return out;
    }

    double[] unscale(float[] output) {
        double[] out = new double[output.length];
        for (int i = 0; i < output.length; i++) {
            out[i] = output[i] * std[i] + mean[i];
        }
        return out;
    }

    /**
     * Rows from JSON: a list of rows (lists of numbers or null), or a flat list of numbers for one feature. Missing
     * values stay NaN.
     *
     * @throws ApiException (400) naming the field and index of the first bad entry
     */
    double[][] rows(String field, List<Object> json, int maxRows) {
        if (json == null || json.isEmpty()) {
            throw ApiException.invalidField(field, field + ": expected 1 … " + maxRows + " rows but got none");
        }
        if (json.size() > maxRows) {
            throw ApiException.invalidField(field, field + ": expected at most " + maxRows + " rows"
                    + " (stepwise.service.max-steps-per-request) but got " + json.size());
        }
        double[][] rows = new double[json.size()][];
        for (int t = 0; t < json.size(); t++) {
            Object row = json.get(t);
            if (row instanceof List<?> values) {
                if (values.size() != features()) {
                    throw ApiException.invalidField(field, field + "[" + t + "]: expected " + features()
                            + " values " + featureNames + " but got " + values.size());
                }
                rows[t] = new double[features()];
                for (int f = 0; f < values.size(); f++) {
                    rows[t][f] = value(field + "[" + t + "][" + f + "]", values.get(f));
                }
            } else if (features() == 1 && (row == null || row instanceof Number)) {
                rows[t] = new double[] {value(field + "[" + t + "]", row)};
            } else {
                throw ApiException.invalidField(field, field + "[" + t + "]: expected a row of " + features()
                        + " numbers " + featureNames + (features() == 1 ? " or a number" : "") + " but got "
                        + describe(row));
            }
        }
        return rows;
    }

    private static double value(String where, Object v) {
        if (v == null) {
            return Double.NaN;
        }
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw ApiException.invalidField(where.substring(0, where.indexOf('[')), where
                + ": expected a finite number or null (missing) but got " + describe(v));
    }

    private static String describe(Object v) {
        return v == null ? "null" : v instanceof String s ? "the string \"" + s + "\"" : String.valueOf(v);
    }
}
