package io.stepwise.spring.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in this process's heap: the embedded default, nothing to install. Each write is atomic per session
 * ({@link ConcurrentHashMap#compute}); expired sessions are dropped when read and swept when the store fills.
 * Sessions do not survive a restart and are not shared between replicas — use {@link RedisSessionStore} for that.
 */
public final class InMemorySessionStore implements SessionStore {
    private final ConcurrentHashMap<String, StoredSession> sessions = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final int maxSessions;
    private final Clock clock;

    public InMemorySessionStore(Duration ttl, int maxSessions) {
        this(ttl, maxSessions, Clock.systemUTC());
    }

    /** With a clock, for tests of expiry. */
    public InMemorySessionStore(Duration ttl, int maxSessions, Clock clock) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("stepwise.store.ttl: expected > 0 but got " + ttl);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("stepwise.store.max-sessions: expected ≥ 1 but got " + maxSessions);
        }
        this.ttl = ttl;
        this.maxSessions = maxSessions;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public void create(StoredSession session) {
        if (sessions.size() >= maxSessions) {
            Instant now = clock.instant();
            sessions.values().removeIf(s -> !s.expiresAt().isAfter(now));
            if (sessions.size() >= maxSessions) {
                throw new IllegalStateException("session store: full (" + maxSessions
                        + " sessions, stepwise.store.max-sessions)");
            }
        }
        StoredSession fresh = withExpiry(session);
        if (sessions.putIfAbsent(session.id(), fresh) != null) {
            throw new IllegalStateException("session " + session.id() + ": exists");
        }
    }

    @Override
    public Optional<StoredSession> find(String id) {
        StoredSession s = sessions.get(id);
        if (s != null && !s.expiresAt().isAfter(clock.instant())) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        return Optional.ofNullable(s);
    }

    @Override
    public void update(StoredSession next, long expectedPosition) {
        Instant now = clock.instant();
        sessions.compute(next.id(), (id, current) -> {
            if (current == null || !current.expiresAt().isAfter(now)) {
                throw new SessionNotFoundException(id);
            }
            if (current.position() != expectedPosition) {
                throw new StaleSessionException(id, expectedPosition, current.position());
            }
            return withExpiry(next);
        });
    }

    @Override
    public boolean delete(String id, OptionalLong expectedPosition) {
        boolean[] deleted = {false};
        Instant now = clock.instant();
        sessions.computeIfPresent(id, (key, current) -> {
            if (!current.expiresAt().isAfter(now)) {
                return null;
            }
            if (expectedPosition.isPresent() && current.position() != expectedPosition.getAsLong()) {
                throw new StaleSessionException(id, expectedPosition.getAsLong(), current.position());
            }
            deleted[0] = true;
            return null;
        });
        return deleted[0];
    }

    /** Sessions held now, expired ones included until swept. */
    public int size() {
        return sessions.size();
    }

    private StoredSession withExpiry(StoredSession s) {
        return s.advance(s.position(), s.state(), s.lastOutput(), clock.instant().plus(ttl));
    }
}
