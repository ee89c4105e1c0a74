package io.stepwise.spring.store;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * Sessions in Redis, shared by every replica: one hash per session ({@code <prefix><id>}: model, owner, position,
 * state, last output, expiry) with a Redis TTL. Every write is one Lua script, so the check of the position and the
 * write are atomic on the server: of two replicas writing the same session from the same position, exactly one
 * succeeds and the other gets {@link StaleSessionException}.
 */
public final class RedisSessionStore implements SessionStore {
    private static final RedisScript<Long> CREATE = new DefaultRedisScript<>("""
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('HSET', KEYS[1], 'model', ARGV[1], 'owner', ARGV[2], 'position', ARGV[3], 'state', ARGV[4],
                'last', ARGV[5], 'expires', ARGV[6])
            redis.call('PEXPIRE', KEYS[1], ARGV[7])
            return 1
            """, Long.class);
    /** -1: not found; -2: written; otherwise the current (different) position. */
    private static final RedisScript<Long> UPDATE = new DefaultRedisScript<>("""
            local cur = redis.call('HGET', KEYS[1], 'position')
            if not cur then return -1 end
            if cur ~= ARGV[1] then return tonumber(cur) end
            redis.call('HSET', KEYS[1], 'position', ARGV[2], 'state', ARGV[3], 'last', ARGV[4], 'expires', ARGV[5])
            redis.call('PEXPIRE', KEYS[1], ARGV[6])
            return -2
            """, Long.class);
    /** As UPDATE; an empty expected position deletes unconditionally. */
    private static final RedisScript<Long> DELETE = new DefaultRedisScript<>("""
            local cur = redis.call('HGET', KEYS[1], 'position')
            if not cur then return -1 end
            if ARGV[1] ~= '' and cur ~= ARGV[1] then return tonumber(cur) end
            redis.call('DEL', KEYS[1])
            return -2
            """, Long.class);

    private final RedisTemplate<String, byte[]> redis;
    private final String prefix;
    private final Duration ttl;
    private final Clock clock;

    public RedisSessionStore(RedisConnectionFactory connections, String keyPrefix, Duration ttl) {
        this(connections, keyPrefix, ttl, Clock.systemUTC());
    }

    public RedisSessionStore(RedisConnectionFactory connections, String keyPrefix, Duration ttl, Clock clock) {
        Objects.requireNonNull(connections, "connections");
        if (ttl == null || ttl.toMillis() < 1) {
            throw new IllegalArgumentException("stepwise.store.ttl: expected ≥ 1 ms but got " + ttl);
        }
        this.prefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
        this.ttl = ttl;
        this.clock = Objects.requireNonNull(clock, "clock");
        RedisTemplate<String, byte[]> t = new RedisTemplate<>();
        t.setConnectionFactory(connections);
        t.setKeySerializer(RedisSerializer.string());
        t.setValueSerializer(RedisSerializer.byteArray());
        t.setHashKeySerializer(RedisSerializer.string());
        t.setHashValueSerializer(RedisSerializer.byteArray());
        t.afterPropertiesSet();
        this.redis = t;
    }

    @Override
    public Duration ttl() {
        return ttl;
    }

    @Override
    public void create(StoredSession s) {
        Instant expires = clock.instant().plus(ttl);
        Long r = redis.execute(CREATE, List.of(prefix + s.id()), utf8(s.model()), utf8(s.owner()),
                utf8(Long.toString(s.position())), s.state(), floats(s.lastOutput()),
                utf8(Long.toString(expires.toEpochMilli())), utf8(Long.toString(ttl.toMillis())));
        if (r == null || r != 1) {
            throw new IllegalStateException("session " + s.id() + ": exists");
        }
    }

    @Override
    public Optional<StoredSession> find(String id) {
        Map<String, byte[]> h = redis.<String, byte[]>opsForHash().entries(prefix + id);
        if (h == null || !h.containsKey("position")) {
            return Optional.empty();
        }
        return Optional.of(new StoredSession(id, string(h.get("model")), string(h.get("owner")),
                Long.parseLong(string(h.get("position"))), h.get("state"), floats(h.get("last")),
                Instant.ofEpochMilli(Long.parseLong(string(h.get("expires"))))));
    }

    @Override
    public void update(StoredSession next, long expectedPosition) {
        Instant expires = clock.instant().plus(ttl);
        Long r = redis.execute(UPDATE, List.of(prefix + next.id()), utf8(Long.toString(expectedPosition)),
                utf8(Long.toString(next.position())), next.state(), floats(next.lastOutput()),
                utf8(Long.toString(expires.toEpochMilli())), utf8(Long.toString(ttl.toMillis())));
        check(next.id(), expectedPosition, r);
    }

    @Override
    public boolean delete(String id, OptionalLong expectedPosition) {
        Long r = redis.execute(DELETE, List.of(prefix + id),
                utf8(expectedPosition.isPresent() ? Long.toString(expectedPosition.getAsLong()) : ""));
        if (r != null && r == -1) {
            return false;
        }
        check(id, expectedPosition.orElse(-1), r);
        return true;
    }

    private static void check(String id, long expected, Long r) {
        if (r == null) {
            throw new IllegalStateException("session " + id + ": Redis returned no result");
        }
        if (r == -1) {
            throw new SessionNotFoundException(id);
        }
        if (r >= 0) {
            throw new StaleSessionException(id, expected, r);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        if (b == null) {
            throw new IllegalStateException("session store: a session hash lacks a field; was it written by"
                    + " another program?");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] floats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static float[] floats(byte[] bytes) {
        if (bytes == null) {
            return new float[0];
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.length / Float.BYTES];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }
}
