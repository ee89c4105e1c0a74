package io.stepwise.flink;

import io.stepwise.runtime.SessionState;

/**
 * Steps many independent sequences once each: the seam between the operator and the way it runs the model. Each
 * call takes every sequence's state and one input for each, and returns each sequence's output and new state;
 * nothing is kept between calls. Implementations are confined to the operator's thread.
 */
interface Stepper extends AutoCloseable {

    /** The zero state of a sequence that has not been stepped yet. */
    SessionState initialState();

    /**
     * Steps {@code n} sequences by one token each.
     *
     * @param states {@code states[i]} is sequence i's state (of this model: the caller checked the fingerprint)
     * @param tokens one valid id per sequence
     * @param n      how many leading entries of the arrays to use, ≥ 1
     */
    Stepped step(SessionState[] states, int[] tokens, int n);

    /** Steps {@code n} sequences by one row of (already scaled, finite) features each. */
    Stepped step(SessionState[] states, float[][] features, int n);

    @Override
    void close();

    /** Outputs and new states, one per sequence stepped, in the order given. */
    record Stepped(float[][] outputs, SessionState[] states) {
    }
}
