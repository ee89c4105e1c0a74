package io.stepwise.runtime.batch;

import io.stepwise.runtime.StepwiseException;

/**
 * A {@link BatchingModel} refused work because a limit was reached: its queue of pending steps is full, or it
 * already holds its maximum number of open sessions. Thrown at once, never after a wait; nothing changed. A service
 * answers it with 429 (Too Many Requests) or 503 (Service Unavailable) and a retry hint.
 */
public class BatchingOverloadedException extends StepwiseException {
    private static final long serialVersionUID = 1L;

    /** Which limit was reached. */
    public enum Limit {
        /** {@code optMaxQueuedSteps}: too many steps pending. */
        QUEUED_STEPS,
        /** {@code optMaxSessions}: too many open sessions. */
        SESSIONS
    }

    private final Limit limit;
    private final int value;

    /**
     * @param limit   the limit reached
     * @param value   its configured value
     * @param message says which limit, its value and what to do
     */
    public BatchingOverloadedException(Limit limit, int value, String message) {
        super(message);
        this.limit = limit;
        this.value = value;
    }

    /** Which limit was reached. */
    public Limit limit() {
        return limit;
    }

    /** The configured value of that limit. */
    public int value() {
        return value;
    }
}
