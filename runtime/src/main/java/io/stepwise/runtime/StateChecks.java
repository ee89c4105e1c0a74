package io.stepwise.runtime;

/**
 * What a recurrent state can be, checked before a {@link SessionState} is built or restored: a position in
 * [0, {@link SessionState#MAX_POSITION}], finite values, and the ranges the cell's equations confine them to. A
 * state outside them was not produced by running the model — it is corrupt or forged — and running from it would
 * give numbers without meaning.
 *
 * <ul>
 *   <li>tanh RNN, LSTM and GRU: every h lies in [−1, 1] (tanh, o ⊙ tanh(c), and GRU's convex mix of the two);
 *       allowed up to {@value #H_BOUND} for the rounding of ONNX Runtime's approximations;</li>
 *   <li>relu RNN: h ≥ 0;</li>
 *   <li>LSTM c: |c| grows by less than 1 per step from the zero state, so |c| ≤ position + {@value #C_MARGIN}
 *       (the margin admits a state computed by {@code forward} from a given initial state);</li>
 *   <li>cells of a signature-bound model the runtime does not know: finite values only.</li>
 * </ul>
 */
final class StateChecks {
    /** |h| bound for cells whose h is a tanh, with room for rounding. */
    static final float H_BOUND = 1.001f;
    /** Margin over the position for |c| of an LSTM. */
    static final double C_MARGIN = 1e6;

    private StateChecks() {
    }

    /** @throws IllegalArgumentException naming {@code name} when the position is outside [0, MAX_POSITION] */
    static void checkPosition(long position, String name) {
        if (position < 0 || position > SessionState.MAX_POSITION) {
            throw new IllegalArgumentException(name + ": expected a position in [0, 2^53] but got " + position);
        }
    }

    /** @throws IllegalArgumentException naming the array and index of the first NaN or infinite value */
    static void checkFinite(float[] values, String name) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "]: state values must be finite but got "
                        + values[i]);
            }
        }
    }

    /**
     * Checks a state for {@code info}'s cell.
     *
     * @param cell null when the model has no cell state
     * @throws IllegalArgumentException naming the position or the array, index, value and the range expected
     */
    static void check(ModelInfo info, long position, float[] hidden, float[] cell) {
        checkPosition(position, "position");
        checkFinite(hidden, "hidden");
        if (cell != null) {
            checkFinite(cell, "cell");
        }
        switch (info.cell()) {
            case RNN_TANH, LSTM, GRU -> {
                for (int i = 0; i < hidden.length; i++) {
                    if (Math.abs(hidden[i]) > H_BOUND) {
                        throw new IllegalArgumentException("hidden[" + i + "]: a " + info.cell() + " hidden state lies"
                                + " in [-1, 1] but got " + hidden[i] + "; the state is corrupt or not of this model");
                    }
                }
            }
            case RNN_RELU -> {
                for (int i = 0; i < hidden.length; i++) {
                    if (hidden[i] < 0) {
                        throw new IllegalArgumentException("hidden[" + i + "]: a relu hidden state is ≥ 0 but got "
                                + hidden[i] + "; the state is corrupt or not of this model");
                    }
                }
            }
            default -> {
                // A signature-bound graph's cell: its ranges are unknown.
            }
        }
        if (cell != null && info.cell() == ModelFormat.Cell.LSTM) {
            double bound = position + C_MARGIN;
            for (int i = 0; i < cell.length; i++) {
                if (Math.abs(cell[i]) > bound) {
                    throw new IllegalArgumentException("cell[" + i + "]: an LSTM cell state grows by less than 1 per"
                            + " step, so at position " + position + " it lies within ±" + (long) bound + ", but got "
                            + cell[i] + "; the state is corrupt or not of this model");
                }
            }
        }
    }

    /**
     * Whether every value is finite, quickly: {@code x * 0} is 0 for a finite x and NaN for NaN or ±∞, and four
     * independent sums without a branch run about half again as fast as testing each value (this check is a few
     * per cent of a batched step, which checks every new state and output).
     */
    static boolean allFinite(float[] v) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int n = v.length & ~3;
        for (int k = 0; k < n; k += 4) {
            s0 += v[k] * 0f;
            s1 += v[k + 1] * 0f;
            s2 += v[k + 2] * 0f;
            s3 += v[k + 3] * 0f;
        }
        for (int k = n; k < v.length; k++) {
            s0 += v[k] * 0f;
        }
        return s0 + s1 + s2 + s3 == 0f;
    }
}
