package io.stepwise.training.data;

import java.util.List;

/**
 * Sliding windows for teacher-forced training of a per-step forecaster.
 *
 * <p>Window {@code i} starts at row {@code s = i · stride}. Its inputs are rows {@code s .. s + window − 1}
 * (all columns); its targets are, for each of those steps {@code t}, the target columns at row
 * {@code t + horizon}. With {@code horizon = 1} every step is trained to predict the next value from the
 * true values so far (teacher forcing, one step ahead). A window is made only when all its targets exist:
 * {@code s + window − 1 + horizon ≤ n − 1}.
 */
public final class SeriesWindows {
    /**
     * The windows.
     *
     * @param inputs  [windows][window][input columns]
     * @param targets [windows][window][target columns]
     * @param starts  first row of each window
     */
    public record Windows(float[][][] inputs, float[][][] targets, int[] starts) {
        public int count() {
            return starts.length;
        }
    }

    private SeriesWindows() {
    }

    /** Windows over all columns, targets = all columns. */
    public static Windows teacherForced(double[][] rows, int window, int horizon, int stride) {
        int width = rows.length == 0 ? 0 : rows[0].length;
        int[] all = new int[width];
        for (int c = 0; c < width; c++) {
            all[c] = c;
        }
        return teacherForced(rows, window, horizon, stride, all);
    }

    /**
     * Windows whose targets are only {@code targetColumns} (inputs keep every column).
     *
     * @param rows  [time][column], scaled, no NaN
     */
    public static Windows teacherForced(double[][] rows, int window, int horizon, int stride,
                                        int[] targetColumns) {
        if (window < 1) {
            throw new IllegalArgumentException("window: expected ≥ 1 but got " + window);
        }
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon: expected ≥ 1 but got " + horizon);
        }
        if (stride < 1) {
            throw new IllegalArgumentException("stride: expected ≥ 1 but got " + stride);
        }
        if (rows.length < window + horizon) {
            throw new IllegalArgumentException("rows: " + rows.length + " rows are too few for window " + window
                    + " and horizon " + horizon + ", expected at least " + (window + horizon));
        }
        int width = rows[0].length;
        if (targetColumns.length == 0) {
            throw new IllegalArgumentException("targetColumns: expected at least one column");
        }
        for (int c : targetColumns) {
            if (c < 0 || c >= width) {
                throw new IllegalArgumentException("targetColumns: expected indices in 0.." + (width - 1)
                        + " but got " + c);
            }
        }
        Rows.requireRectangularFinite(rows, "interpolate missing values first");
        int count = (rows.length - window - horizon) / stride + 1;
        float[][][] inputs = new float[count][window][width];
        float[][][] targets = new float[count][window][targetColumns.length];
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) {
            int s = i * stride;
            starts[i] = s;
            for (int t = 0; t < window; t++) {
                for (int c = 0; c < width; c++) {
                    inputs[i][t][c] = (float) rows[s + t][c];
                }
                for (int j = 0; j < targetColumns.length; j++) {
                    targets[i][t][j] = (float) rows[s + t + horizon][targetColumns[j]];
                }
            }
        }
        return new Windows(inputs, targets, starts);
    }

    /**
     * The windows of several series as one set (a global model trains on all of them); each part's {@code starts}
     * are kept as they were, rows of its own series.
     */
    public static Windows concat(List<Windows> parts) {
        int count = parts.stream().mapToInt(Windows::count).sum();
        float[][][] inputs = new float[count][][];
        float[][][] targets = new float[count][][];
        int[] starts = new int[count];
        int i = 0;
        for (Windows w : parts) {
            System.arraycopy(w.inputs(), 0, inputs, i, w.count());
            System.arraycopy(w.targets(), 0, targets, i, w.count());
            System.arraycopy(w.starts(), 0, starts, i, w.count());
            i += w.count();
        }
        return new Windows(inputs, targets, starts);
    }
}
