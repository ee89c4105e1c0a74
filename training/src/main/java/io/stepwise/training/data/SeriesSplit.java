package io.stepwise.training.data;

import java.util.Arrays;

/**
 * A chronological split of a series into training, validation and a held-out test tail:
 * rows {@code [0, trainLength)} train, the next {@code validationLength} validate, the last
 * {@code testLength} are the test tail. For weekly CO2: {@code SeriesSplit.ofTail(2284, 104, 104)} keeps the
 * last two years (2000–2001) for testing and the two years before for validation.
 */
public record SeriesSplit(int trainLength, int validationLength, int testLength) {

    public SeriesSplit {
        if (trainLength < 1) {
            throw new IllegalArgumentException("trainLength: expected ≥ 1 but got " + trainLength);
        }
        if (validationLength < 0 || testLength < 0) {
            throw new IllegalArgumentException("validationLength/testLength: expected ≥ 0 but got "
                    + validationLength + "/" + testLength);
        }
    }

    /**
     * Splits {@code length} rows so that the last {@code testLength} are test and the {@code validationLength}
     * before them validation.
     */
    public static SeriesSplit ofTail(int length, int validationLength, int testLength) {
        if (validationLength < 0 || testLength < 0) {
            throw new IllegalArgumentException("validationLength/testLength: expected ≥ 0 but got "
                    + validationLength + "/" + testLength);
        }
        int train = length - validationLength - testLength;
        if (train < 1) {
            throw new IllegalArgumentException("length: " + length + " rows leave " + train
                    + " for training after validation " + validationLength + " and test " + testLength
                    + ", expected ≥ 1");
        }
        return new SeriesSplit(train, validationLength, testLength);
    }

    /** Total rows. */
    public int length() {
        return trainLength + validationLength + testLength;
    }

    /** First validation row. */
    public int validationStart() {
        return trainLength;
    }

    /** First test row. */
    public int testStart() {
        return trainLength + validationLength;
    }

    public double[][] train(double[][] rows) {
        return rows(rows, 0, trainLength);
    }

    public double[][] validation(double[][] rows) {
        return rows(rows, validationStart(), testStart());
    }

    public double[][] test(double[][] rows) {
        return rows(rows, testStart(), length());
    }

    public double[] train(double[] column) {
        return values(column, 0, trainLength);
    }

    public double[] validation(double[] column) {
        return values(column, validationStart(), testStart());
    }

    public double[] test(double[] column) {
        return values(column, testStart(), length());
    }

    private double[][] rows(double[][] rows, int from, int to) {
        checkLength(rows.length);
        double[][] out = new double[to - from][];
        for (int i = from; i < to; i++) {
            out[i - from] = rows[i].clone();
        }
        return out;
    }

    private double[] values(double[] column, int from, int to) {
        checkLength(column.length);
        return Arrays.copyOfRange(column, from, to);
    }

    private void checkLength(int n) {
        if (n != length()) {
            throw new IllegalArgumentException("rows: the split covers " + length() + " rows but got " + n);
        }
    }
}
