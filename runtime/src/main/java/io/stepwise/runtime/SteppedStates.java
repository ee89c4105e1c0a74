package io.stepwise.runtime;

/**
 * What one batched call of {@link RecurrentModel#stepAll} or {@link RecurrentModel#feedAll} returns: for each row,
 * in the order given, the head's output and the new {@link SessionState}. Immutable; the arrays handed out are
 * copies.
 */
public final class SteppedStates {
    private final float[][][] outputs;
    private final SessionState[] states;

    SteppedStates(float[][][] outputs, SessionState[] states) {
        this.outputs = outputs;
        this.states = states;
    }

    /** Number of rows (sequences) in the call. */
    public int size() {
        return states.length;
    }

    /**
     * Row {@code i}'s output for its last step (per-step head) or for its state after the call (final-state head):
     * a fresh array of {@link ModelInfo#outputSize()} values.
     */
    public float[] output(int i) {
        float[][] rows = outputs[check(i)];
        return rows[rows.length - 1].clone();
    }

    /**
     * Row {@code i}'s outputs as {@link Session#feed(int[])} returns them: one row per step (per-step head) or one
     * row for the final state (final-state head); fresh arrays.
     */
    public float[][] outputs(int i) {
        float[][] rows = outputs[check(i)];
        float[][] copy = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            copy[r] = rows[r].clone();
        }
        return copy;
    }

    /** The outputs themselves, for a caller that hands them on unshared (the slot form of feedAll). */
    float[][][] outputsArray() {
        return outputs;
    }

    /** Row {@code i}'s state after the call (its position advanced by the steps it consumed). */
    public SessionState state(int i) {
        return states[check(i)];
    }

    private int check(int i) {
        if (i < 0 || i >= states.length) {
            throw new IndexOutOfBoundsException("row " + i + " of " + states.length);
        }
        return i;
    }

    @Override
    public String toString() {
        return "SteppedStates[" + states.length + " rows]";
    }
}
