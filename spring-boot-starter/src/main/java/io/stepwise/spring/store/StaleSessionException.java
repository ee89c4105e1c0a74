package io.stepwise.spring.store;

/**
 * An update was based on a position the session is no longer at: another request (perhaps on another replica)
 * moved it first. Nothing was written; the caller re-reads and decides (a service answers 409 Conflict).
 */
public class StaleSessionException extends RuntimeException {
    private final String id;
    private final long expected;
    private final long current;

    public StaleSessionException(String id, long expected, long current) {
        super("session " + id + ": expected position " + expected + " but it is at " + current
                + "; another update came first");
        this.id = id;
        this.expected = expected;
        this.current = current;
    }

    public String id() {
        return id;
    }

    /** The position the update was based on. */
    public long expected() {
        return expected;
    }

    /** The session's position now. */
    public long current() {
        return current;
    }
}
