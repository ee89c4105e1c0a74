package io.stepwise.spring.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link SessionStore} guarantees; run against each implementation. */
abstract class SessionStoreContract {

    /** The store under test, fresh or emptied for each test. */
    abstract SessionStore store();

    static StoredSession session(String id, long position, byte state) {
        return new StoredSession(id, "co2-rnn", "owner-a", position, new byte[] {state, 2, 3},
                position == 0 ? new float[0] : new float[] {position, 0.5f}, Instant.EPOCH);
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    @Test
    void createdSessionIsFoundWithItsFieldsAndAnExpiryTtlAhead() {
        String id = id();
        Instant before = Instant.now();
        store().create(session(id, 0, (byte) 1));
        StoredSession s = store().find(id).orElseThrow();
        assertThat(s.model()).isEqualTo("co2-rnn");
        assertThat(s.owner()).isEqualTo("owner-a");
        assertThat(s.position()).isZero();
        assertThat(s.state()).containsExactly(1, 2, 3);
        assertThat(s.lastOutput()).isEmpty();
        assertThat(s.expiresAt()).isAfterOrEqualTo(before.plus(store().ttl()).minusMillis(5));
    }

    @Test
    void creatingAnExistingIdIsRefused() {
        String id = id();
        store().create(session(id, 0, (byte) 1));
        assertThatThrownBy(() -> store().create(session(id, 0, (byte) 9)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(id);
        assertThat(store().find(id).orElseThrow().state()[0]).isEqualTo((byte) 1);
    }

    @Test
    void updateFromTheCurrentPositionIsWritten() {
        String id = id();
        store().create(session(id, 0, (byte) 1));
        store().update(session(id, 5, (byte) 7), 0);
        StoredSession s = store().find(id).orElseThrow();
        assertThat(s.position()).isEqualTo(5);
        assertThat(s.state()[0]).isEqualTo((byte) 7);
        assertThat(s.lastOutput()).containsExactly(5f, 0.5f);
    }

    @Test
    void updateFromAStalePositionIsRefusedAndWritesNothing() {
        String id = id();
        store().create(session(id, 0, (byte) 1));
        store().update(session(id, 3, (byte) 2), 0);
        assertThatThrownBy(() -> store().update(session(id, 4, (byte) 9), 0))
                .isInstanceOfSatisfying(StaleSessionException.class, e -> {
                    assertThat(e.expected()).isZero();
                    assertThat(e.current()).isEqualTo(3);
                });
        assertThat(store().find(id).orElseThrow().state()[0]).isEqualTo((byte) 2);
    }

    @Test
    void updateOfAMissingSessionIsNotFound() {
        assertThatThrownBy(() -> store().update(session("nope-" + id(), 1, (byte) 1), 0))
                .isInstanceOf(SessionNotFoundException.class);
    }

    @Test
    void ofConcurrentUpdatesFromOnePositionExactlyOneWins() throws Exception {
        String id = id();
        store().create(session(id, 0, (byte) 0));
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte mark = (byte) (w + 1);
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        store().update(session(id, 1, mark), 0);
                        return true;
                    } catch (StaleSessionException e) {
                        return false;
                    }
                }));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> f : results) {
                won += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(won).isEqualTo(1);
            assertThat(store().find(id).orElseThrow().position()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void deleteChecksThePositionWhenGiven() {
        String id = id();
        store().create(session(id, 0, (byte) 1));
        store().update(session(id, 2, (byte) 1), 0);
        assertThatThrownBy(() -> store().delete(id, OptionalLong.of(1))).isInstanceOf(StaleSessionException.class);
        assertThat(store().find(id)).isPresent();
        assertThat(store().delete(id, OptionalLong.of(2))).isTrue();
        assertThat(store().find(id)).isEmpty();
        assertThat(store().delete(id, OptionalLong.empty())).isFalse();
    }

    @Test
    void unconditionalDeleteRemoves() {
        String id = id();
        store().create(session(id, 0, (byte) 1));
        assertThat(store().delete(id, OptionalLong.empty())).isTrue();
        assertThat(store().find(id)).isEmpty();
    }
}
