package io.stepwise.spring.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.stepwise.spring.testing.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The store contract against a real redis-server started for this class. */
class RedisSessionStoreTest extends SessionStoreContract {
    private static RedisServer redis;
    private static LettuceConnectionFactory connections;
    private static RedisSessionStore store;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
        connections.afterPropertiesSet();
        connections.start();
        store = new RedisSessionStore(connections, "test:session:", Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopRedis() {
        if (connections != null) {
            connections.destroy();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    SessionStore store() {
        return store;
    }

    @Test
    void redisExpiresTheKeyAfterTheTtl() throws Exception {
        RedisSessionStore shortLived = new RedisSessionStore(connections, "test:short:", Duration.ofMillis(300));
        shortLived.create(session("x", 0, (byte) 1));
        String ttl = redis.command("PTTL test:short:x");
        assertThat(Long.parseLong(ttl.substring(1))).isBetween(1L, 300L);
        Thread.sleep(600);
        assertThat(shortLived.find("x")).isEmpty();
    }

    @Test
    void anotherStoreOnTheSameRedisSeesTheSameSessions() {
        RedisSessionStore replica = new RedisSessionStore(connections, "test:session:", Duration.ofMinutes(5));
        store.create(session("shared", 0, (byte) 4));
        replica.update(session("shared", 1, (byte) 5), 0);
        assertThat(store.find("shared").orElseThrow().state()[0]).isEqualTo((byte) 5);
    }
}
