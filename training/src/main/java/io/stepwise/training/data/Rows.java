package io.stepwise.training.data;

/** Checks on [time][column] matrices shared by the series helpers. */
final class Rows {
    private Rows() {
    }

    /**
     * Requires every row to have {@code rows[0].length} columns and every value to be finite.
     *
     * @param whenNotFinite what the caller should do about a NaN or infinity, appended to the message
     * @return the column count
     * @throws IllegalArgumentException naming the first ragged row or non-finite cell
     */
    static int requireRectangularFinite(double[][] rows, String whenNotFinite) {
        int width = rows[0].length;
        for (int t = 0; t < rows.length; t++) {
            if (rows[t].length != width) {
                throw new IllegalArgumentException("rows[" + t + "]: expected " + width + " columns but got "
                        + rows[t].length);
            }
            for (int c = 0; c < width; c++) {
                if (!Double.isFinite(rows[t][c])) {
                    throw new IllegalArgumentException("rows[" + t + "][" + c + "]: expected a finite value but got "
                            + rows[t][c] + " (" + whenNotFinite + ")");
                }
            }
        }
        return width;
    }
}
