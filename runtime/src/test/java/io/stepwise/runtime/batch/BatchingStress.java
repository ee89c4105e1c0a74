package io.stepwise.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.runtime.BatchTestModels;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * {@code make stress} (not part of {@code make test}; the class name does not end in Test): 256 caller threads over
 * thousands of batched sessions for {@code -Dstepwise.stress.seconds} (60), with steps, feeds, async chains, random
 * snapshot/restore, closing and reopening, and eviction to a store and reload (a short idle timeout). Every session
 * keeps a ledger of the steps it was given; after every operation its position must equal the ledger (no lost or
 * duplicated step), every request must have completed exactly once, and no exception may escape.
 */
class BatchingStress {
    private static final int THREADS = 256;
    private static final int SESSIONS = 4000;

    /** One pool slot: a session, its ledger and the lock that gives it to one thread at a time. */
    static final class Slot {
        final ReentrantLock lock = new ReentrantLock();
        BatchedSession session;
        long expectedPosition;
    }

    @Test
    void twoHundredFiftySixThreadsNeverLoseOrDuplicateAStep() throws Exception {
        assumeTrue(Boolean.getBoolean("stepwise.stress"), "run with make stress (-Dstepwise.stress=true)");
        long seconds = Long.getLong("stepwise.stress.seconds", 60);
        Map<String, byte[]> store = new ConcurrentHashMap<>();
        AtomicLong saves = new AtomicLong();
        AtomicLong loads = new AtomicLong();
        EvictionStore evictionStore = new EvictionStore() {
            @Override
            public void save(String id, byte[] state) {
                saves.incrementAndGet();
                store.put(id, state);
            }

            @Override
            public Optional<byte[]> load(String id) {
                loads.incrementAndGet();
                return Optional.ofNullable(store.get(id));
            }
        };
        BatchTestModels.Kind kind = new BatchTestModels.Kind(CellKind.LSTM, true, HeadKind.PER_STEP, 2);
        AtomicLong requests = new AtomicLong();
        AtomicLong tokens = new AtomicLong();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (RecurrentModel model = BatchTestModels.load(kind, 11);
             BatchingModel batching = BatchingModel.builder().setModel(model).optMaxSessions(SESSIONS + THREADS)
                     .optMaxQueuedSteps(100_000).optIdleTimeout(Duration.ofMillis(300))
                     .optEvictionStore(evictionStore).build()) {
            int vocabulary = model.info().inputSize();
            Slot[] slots = new Slot[SESSIONS];
            for (int i = 0; i < SESSIONS; i++) {
                slots[i] = new Slot();
                slots[i].session = batching.newSession();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                Thread thread = new Thread(() -> {
                    Random rnd = new Random(seed);
                    try {
                        while (System.nanoTime() < deadline) {
                            Slot slot = slots[rnd.nextInt(SESSIONS)];
                            if (!slot.lock.tryLock()) {
                                continue;
                            }
                            try {
                                operate(slot, rnd, vocabulary, batching, requests, tokens);
                                assertEquals(slot.expectedPosition, slot.session.position(), "ledger of "
                                        + slot.session.id());
                            } finally {
                                slot.lock.unlock();
                            }
                            if (rnd.nextInt(50) == 0) {
                                Thread.sleep(rnd.nextInt(400)); // long enough, sometimes, for evictions
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "stress-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            BatchingStats stats = batching.stats();
            System.out.printf("stress: %d s, %d threads, %d sessions: %d requests (%d tokens), %d calls (mean batch"
                            + " %.1f), %d evictions, %d saves, %d loads, %d failures%n", seconds, THREADS, SESSIONS,
                    requests.get(), tokens.get(), stats.calls(), stats.meanBatchSize(), stats.evictedSessions(),
                    saves.get(), loads.get(), failures.size());
            if (!failures.isEmpty()) {
                AssertionError e = new AssertionError(failures.size() + " caller(s) failed; first: " + failures.get(0));
                failures.forEach(e::addSuppressed);
                throw e;
            }
            assertEquals(requests.get(), stats.steps(), "every request completed exactly once");
            assertEquals(0, stats.queuedSteps());
            assertTrue(stats.evictedSessions() > 0 && loads.get() > 0, "eviction and reload were exercised");
            for (Slot slot : slots) {
                assertEquals(slot.expectedPosition, slot.session.position());
            }
        }
    }

    private static void operate(Slot slot, Random rnd, int vocabulary, BatchingModel batching, AtomicLong requests,
                                AtomicLong tokens) {
        BatchedSession s = slot.session;
        int op = rnd.nextInt(100);
        if (op < 60) {
            s.step(rnd.nextInt(vocabulary));
            requests.incrementAndGet();
            tokens.incrementAndGet();
            slot.expectedPosition++;
        } else if (op < 75) {
            int n = 1 + rnd.nextInt(8);
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = rnd.nextInt(vocabulary);
            }
            assertEquals(n, s.feed(ids).length);
            requests.incrementAndGet();
            tokens.addAndGet(n);
            slot.expectedPosition += n;
        } else if (op < 88) {
            int n = 2 + rnd.nextInt(4);
            List<CompletableFuture<float[]>> chain = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                chain.add(s.stepAsync(rnd.nextInt(vocabulary)));
            }
            CompletableFuture.allOf(chain.toArray(CompletableFuture[]::new)).join();
            requests.addAndGet(n);
            tokens.addAndGet(n);
            slot.expectedPosition += n;
        } else if (op < 96) {
            SessionState snapshot = s.snapshot();
            assertEquals(slot.expectedPosition, snapshot.position());
            s.step(rnd.nextInt(vocabulary));
            requests.incrementAndGet();
            tokens.incrementAndGet();
            s.restore(rnd.nextBoolean() ? snapshot : SessionState.fromBytes(snapshot.toBytes()));
        } else {
            s.close();
            slot.session = batching.newSession();
            slot.expectedPosition = 0;
        }
    }
}
