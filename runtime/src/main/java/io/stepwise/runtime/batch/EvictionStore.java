package io.stepwise.runtime.batch;

import java.util.Optional;

/**
 * Where a {@link BatchingModel} puts the state of a session it evicts, and finds it again when the session is next
 * used (a service backs it with its cache or database). The bytes are {@link io.stepwise.runtime.SessionState#toBytes()}'s
 * form, keyed by {@link BatchedSession#id()}. Called from the model's eviction thread ({@link #save}) and from the
 * thread that next uses the session ({@link #load}); implementations must be thread-safe. An exception from
 * {@link #save} keeps the session open (it is retried at the next sweep); one from {@link #load} reaches the caller.
 */
public interface EvictionStore {

    /** Stores the state of an evicted session, replacing any earlier one under that id. */
    void save(String sessionId, byte[] state);

    /** The state saved for {@code sessionId}, or empty when there is none (never saved, or expired by the store). */
    Optional<byte[]> load(String sessionId);
}
