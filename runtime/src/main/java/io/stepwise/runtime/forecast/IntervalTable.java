package io.stepwise.runtime.forecast;

import io.stepwise.runtime.ModelFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code stepwise.intervals} object of a model file, read into arrays (its shape checked), and the intervals it
 * puts around a forecast: bound = forecast + offset × std, or × |forecast| for the relative method
 * ({@link Forecaster#RELATIVE_INTERVALS}).
 */
final class IntervalTable {
    private final double[] levels;
    private final double[][][] lower;
    private final double[][][] upper;
    private final boolean relative;

    private IntervalTable(double[] levels, double[][][] lower, double[][][] upper, boolean relative) {
        this.levels = levels;
        this.lower = lower;
        this.upper = upper;
        this.relative = relative;
    }

    /** The table of a model that reads {@code features} features; an empty object gives no intervals. */
    static IntervalTable of(Map<String, Object> intervals, int features) {
        if (intervals.isEmpty()) {
            return new IntervalTable(new double[0], new double[0][][], new double[0][][], false);
        }
        double[] levels = levels(intervals);
        return new IntervalTable(levels, table(intervals, "lower", levels.length, features),
                table(intervals, "upper", levels.length, features),
                Forecaster.RELATIVE_INTERVALS.equals(intervals.get("method")));
    }

    /** The coverages, narrowest first. */
    double[] levels() {
        return levels.clone();
    }

    /**
     * The intervals around forecast {@code values} [step][feature] of a series scaled by {@code std}; beyond the stored
     * steps the last stored step's offsets are used.
     */
    List<PredictionInterval> around(double[][] values, double[] std) {
        List<PredictionInterval> out = new ArrayList<>(levels.length);
        for (int l = 0; l < levels.length; l++) {
            double[][] lo = new double[values.length][std.length];
            double[][] hi = new double[values.length][std.length];
            for (int h = 0; h < values.length; h++) {
                int stored = Math.min(h, lower[l].length - 1);
                for (int f = 0; f < std.length; f++) {
                    // Relative offsets are shares of the forecast's size, so the band widens with the level.
                    double unit = relative ? Math.abs(values[h][f]) : std[f];
                    lo[h][f] = values[h][f] + lower[l][stored][f] * unit;
                    hi[h][f] = values[h][f] + upper[l][stored][f] * unit;
                }
            }
            out.add(new PredictionInterval(levels[l], lo, hi));
        }
        return out;
    }

    /** The coverages, each in (0, 1). */
    static double[] levels(Map<String, Object> intervals) {
        Object levels = intervals.get("levels");
        if (!(levels instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(ModelFormat.INTERVALS + ".levels: expected a non-empty array of "
                    + "coverages but got " + levels);
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(list.get(i), "levels[" + i + "]");
            if (!(out[i] > 0 && out[i] < 1)) {
                throw new IllegalArgumentException(ModelFormat.INTERVALS + ".levels[" + i + "]: expected a coverage in "
                        + "(0, 1) but got " + out[i]);
            }
        }
        return out;
    }

    /** One offset table, [level][step][feature]. */
    static double[][][] table(Map<String, Object> intervals, String name, int levels, int features) {
        String where = ModelFormat.INTERVALS + "." + name;
        Object table = intervals.get(name);
        if (!(table instanceof List<?> perLevel) || perLevel.size() != levels) {
            throw new IllegalArgumentException(where + ": expected one table per level (" + levels + ")");
        }
        double[][][] out = new double[levels][][];
        for (int l = 0; l < levels; l++) {
            if (!(perLevel.get(l) instanceof List<?> steps) || steps.isEmpty()) {
                throw new IllegalArgumentException(where + "[" + l + "]: expected a non-empty array of steps");
            }
            out[l] = new double[steps.size()][];
            for (int h = 0; h < steps.size(); h++) {
                if (!(steps.get(h) instanceof List<?> row) || row.size() != features) {
                    throw new IllegalArgumentException(where + "[" + l + "][" + h + "]: expected " + features
                            + " offsets, one per feature");
                }
                out[l][h] = new double[features];
                for (int f = 0; f < features; f++) {
                    out[l][h][f] = number(row.get(f), name + "[" + l + "][" + h + "][" + f + "]");
                }
            }
        }
        return out;
    }

    private static double number(Object value, String where) {
        if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new IllegalArgumentException(ModelFormat.INTERVALS + "." + where + ": expected a finite number but "
                    + "got " + value);
        }
        return n.doubleValue();
    }
}
