package io.stepwise.runtime.batch;

import java.time.Instant;

/**
 * A {@link BatchedSession} was used after its {@link BatchingModel} evicted it (idle too long) and no
 * {@link EvictionStore} could give its state back. The message says when and why; open a new session.
 */
public class SessionEvictedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String sessionId;
    private final transient Instant evictedAt;
    private final String reason;

    public SessionEvictedException(String sessionId, Instant evictedAt, String reason, String detail) {
        super("session " + sessionId + " was evicted at " + evictedAt + " because it was " + reason
                + (detail.isEmpty() ? "" : "; " + detail) + "; open a new session");
        this.sessionId = sessionId;
        this.evictedAt = evictedAt;
        this.reason = reason;
    }

    /** The evicted session's id. */
    public String sessionId() {
        return sessionId;
    }

    /** When it was evicted. */
    public Instant evictedAt() {
        return evictedAt;
    }

    /** Why, e.g. {@code "idle for more than PT10M"}. */
    public String reason() {
        return reason;
    }
}
