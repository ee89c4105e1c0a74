package io.stepwise.training.data;

import java.util.List;

/**
 * Per-column standardisation {@code z = (x − mean) / std}, fitted on the training part only so that no
 * validation or test information leaks into the scaling. {@code std} is the population standard deviation
 * (divides by n). The arrays are the values for {@code stepwise.scaling}.
 *
 * @param mean one per column
 * @param std  one per column, &gt; 0
 */
public record Standardizer(double[] mean, double[] std) {

    public Standardizer {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean/std: expected equal non-zero lengths but got " + mean.length
                    + "/" + std.length);
        }
        for (int c = 0; c < std.length; c++) {
            if (!(std[c] > 0) || !Double.isFinite(std[c]) || !Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("std[" + c + "]: expected a finite value > 0 (and a finite "
                        + "mean) but got mean " + mean[c] + ", std " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Fits on rows [time][column] (no NaN: interpolate first).
     *
     * @throws IllegalArgumentException on NaN, on fewer than 2 rows, or on a constant column
     */
    public static Standardizer fit(double[][] rows) {
        return fit(rows, null);
    }

    /**
     * Like {@link #fit(double[][])}, naming a constant column by {@code columns.get(c)} in the error.
     *
     * @param columns one name per column, or null to name columns by index
     */
    public static Standardizer fit(double[][] rows, List<String> columns) {
        if (rows.length < 2) {
            throw new IllegalArgumentException("rows: expected at least 2 rows to fit but got " + rows.length);
        }
        int width = Rows.requireRectangularFinite(rows, "interpolate missing values before fitting");
        double[] mean = new double[width];
        double[] std = new double[width];
        for (double[] row : rows) {
            for (int c = 0; c < width; c++) {
                mean[c] += row[c];
            }
        }
        for (int c = 0; c < width; c++) {
            mean[c] /= rows.length;
            double ss = 0;
            for (double[] row : rows) {
                double d = row[c] - mean[c];
                ss += d * d;
            }
            std[c] = Math.sqrt(ss / rows.length);
            if (!(std[c] > 0)) {
                throw new IllegalArgumentException("rows: column " + (columns == null ? Integer.toString(c)
                        : "'" + columns.get(c) + "'") + " is constant (" + mean[c] + ") and cannot be standardised");
            }
        }
        return new Standardizer(mean, std);
    }

    /** Fits on one column. */
    public static Standardizer fit(double[] column) {
        double[][] rows = new double[column.length][];
        for (int t = 0; t < column.length; t++) {
            rows[t] = new double[] {column[t]};
        }
        return fit(rows);
    }

    public int width() {
        return mean.length;
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    public double transform(double value, int column) {
        return (value - mean[column]) / std[column];
    }

    public double inverse(double scaled, int column) {
        return scaled * std[column] + mean[column];
    }

    /** Scales rows [time][column] (a new array). */
    public double[][] transform(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int t = 0; t < rows.length; t++) {
            checkWidth(rows[t], t);
            out[t] = new double[width()];
            for (int c = 0; c < width(); c++) {
                out[t][c] = transform(rows[t][c], c);
            }
        }
        return out;
    }

    /** Undoes {@link #transform(double[][])}. */
    public double[][] inverse(double[][] rows) {
        double[][] out = new double[rows.length][];
        for (int t = 0; t < rows.length; t++) {
            checkWidth(rows[t], t);
            out[t] = new double[width()];
            for (int c = 0; c < width(); c++) {
                out[t][c] = inverse(rows[t][c], c);
            }
        }
        return out;
    }

    /** Scales one column's values with column {@code column}'s parameters. */
    public double[] transform(double[] values, int column) {
        double[] out = new double[values.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = transform(values[t], column);
        }
        return out;
    }

    /** Undoes {@link #transform(double[], int)}. */
    public double[] inverse(double[] scaled, int column) {
        double[] out = new double[scaled.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = inverse(scaled[t], column);
        }
        return out;
    }

    private void checkWidth(double[] row, int t) {
        if (row.length != width()) {
            throw new IllegalArgumentException("rows[" + t + "]: expected " + width() + " columns but got "
                    + row.length);
        }
    }
}
