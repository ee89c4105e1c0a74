package io.stepwise.spring.store;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Keeps session states between requests. Implementations are thread-safe and every write is atomic: an update
 * names the position it was computed from and is refused with {@link StaleSessionException} when the stored
 * session has moved on, so concurrent writers (threads or replicas) never overwrite each other's step. A session
 * expires {@link #ttl()} after its last write.
 */
public interface SessionStore {

    /** How long a session lives after its last write. */
    Duration ttl();

    /**
     * Stores a new session.
     *
     * @throws IllegalStateException when a session with that id exists, or the store is full
     */
    void create(StoredSession session);

    /** The session, unless it does not exist or has expired. */
    Optional<StoredSession> find(String id);

    /**
     * Replaces the session with {@code next} if it is still at {@code expectedPosition}, and renews its expiry.
     *
     * @throws StaleSessionException  when it is at another position (nothing is written)
     * @throws SessionNotFoundException when it does not exist or has expired
     */
    void update(StoredSession next, long expectedPosition);

    /**
     * Deletes the session, if it is at {@code expectedPosition} when one is given.
     *
     * @return false when it did not exist
     * @throws StaleSessionException when it is at another position
     */
    boolean delete(String id, OptionalLong expectedPosition);
}
