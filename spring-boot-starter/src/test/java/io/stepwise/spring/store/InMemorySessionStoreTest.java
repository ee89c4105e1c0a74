package io.stepwise.spring.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InMemorySessionStoreTest extends SessionStoreContract {
    private final InMemorySessionStore store = new InMemorySessionStore(Duration.ofMinutes(5), 1000);

    @Override
    SessionStore store() {
        return store;
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void advance(Duration d) {
            now.updateAndGet(i -> i.plus(d));
        }
    }

    @Test
    void sessionsExpireTtlAfterTheirLastWrite() {
        ManualClock clock = new ManualClock();
        InMemorySessionStore s = new InMemorySessionStore(Duration.ofSeconds(10), 10, clock);
        s.create(session("a", 0, (byte) 1));
        clock.advance(Duration.ofSeconds(8));
        s.update(session("a", 1, (byte) 1), 0);
        clock.advance(Duration.ofSeconds(8));
        assertThat(s.find("a")).isPresent();
        clock.advance(Duration.ofSeconds(3));
        assertThat(s.find("a")).isEmpty();
        assertThatThrownBy(() -> s.update(session("a", 2, (byte) 1), 1)).isInstanceOf(SessionNotFoundException.class);
    }

    @Test
    void aFullStoreSweepsExpiredSessionsThenRefuses() {
        ManualClock clock = new ManualClock();
        InMemorySessionStore s = new InMemorySessionStore(Duration.ofSeconds(10), 2, clock);
        s.create(session("a", 0, (byte) 1));
        s.create(session("b", 0, (byte) 1));
        assertThatThrownBy(() -> s.create(session("c", 0, (byte) 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("max-sessions");
        clock.advance(Duration.ofSeconds(11));
        s.create(session("c", 0, (byte) 1));
        assertThat(s.size()).isEqualTo(1);
    }

    @Test
    void badSettingsAreRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new InMemorySessionStore(Duration.ZERO, 1))
                .hasMessageContaining("stepwise.store.ttl");
        assertThatThrownBy(() -> new InMemorySessionStore(Duration.ofSeconds(1), 0))
                .hasMessageContaining("stepwise.store.max-sessions");
    }
}
