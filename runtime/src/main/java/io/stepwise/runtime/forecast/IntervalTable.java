package io.stepwise.runtime.forecast;

import io.stepwise.runtime.ModelFormat;
import java.util.List;
import java.util.Map;

/** Reads the {@code stepwise.intervals} object of a model file into arrays, checking its shape. */
final class IntervalTable {
    private IntervalTable() {
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
