package io.stepwise.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.runtime.BatchTestModels;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StepSession;
import io.stepwise.runtime.StepwiseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Limits, overload, eviction (with and without a store), close and shutdown with pending steps, builder checks. */
class BatchingLimitsTest {
    private static final BatchTestModels.Kind LSTM = new BatchTestModels.Kind(CellKind.LSTM, true, HeadKind.PER_STEP, 2);
    private static final Duration LIMIT = Duration.ofSeconds(30);

    /** A listener that holds the scheduler inside its first batch until released. */
    static final class Gate implements BatchListener {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger rejected = new AtomicInteger();
        final List<String> evictions = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onBatch(int size, long queueWaitNanos, long runNanos) {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onRejected(String reason) {
            rejected.incrementAndGet();
        }

        @Override
        public void onEvicted(String reason) {
            evictions.add(reason);
        }
    }

    @Test
    void tooManySessionsIsRefusedAtOnceNamingTheLimit() {
        try (RecurrentModel model = BatchTestModels.load(LSTM, 1);
             BatchingModel batching = BatchingModel.builder().setModel(model).optMaxSessions(3).build()) {
            BatchedSession a = batching.newSession();
            batching.newSession();
            batching.newSession();
            BatchingOverloadedException e = assertThrows(BatchingOverloadedException.class, batching::newSession);
            assertEquals(BatchingOverloadedException.Limit.SESSIONS, e.limit());
            assertEquals(3, e.value());
            assertTrue(e.getMessage().contains("too many sessions") && e.getMessage().contains("maxSessions 3"),
                    e.getMessage());
            assertTrue(e instanceof StepwiseException);
            a.close();
            batching.newSession().close(); // a slot came free
            assertEquals(2, batching.stats().openSessions());
            assertEquals(1, batching.stats().rejectedRequests());
        }
    }

    @Test
    void aFullQueueIsRefusedAtOnceAndTheQueuedStepsStillRun() {
        Gate gate = new Gate();
        try (RecurrentModel model = BatchTestModels.load(LSTM, 1);
             BatchingModel batching = BatchingModel.builder().setModel(model).optMaxQueuedSteps(4)
                     .optMaxBatchSize(1).optListener(gate).build()) {
            assertTimeoutPreemptively(LIMIT, () -> {
                BatchedSession s = batching.newSession();
                List<CompletableFuture<float[]>> queued = new ArrayList<>();
                queued.add(s.stepAsync(1));
                gate.entered.await(); // the scheduler is held after its first call: four more fit
                for (int i = 0; i < 4; i++) {
                    queued.add(s.stepAsync(2 + i));
                }
                BatchingOverloadedException e = assertThrows(BatchingOverloadedException.class, () -> s.stepAsync(9));
                assertEquals(BatchingOverloadedException.Limit.QUEUED_STEPS, e.limit());
                assertTrue(e.getMessage().contains("queue full") && e.getMessage().contains("maxQueuedSteps 4"),
                        e.getMessage());
                assertEquals(1, gate.rejected.get());
                assertEquals(4, batching.stats().queuedSteps());
                gate.release.countDown();
                CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).join();
                assertEquals(5, s.position()); // the refused step changed nothing
            });
        }
    }

    @Test
    void anIdleSessionIsEvictedAndSaysSoWithoutAStore() throws Exception {
        Gate listener = new Gate();
        listener.release.countDown();
        try (RecurrentModel model = BatchTestModels.load(LSTM, 1);
             BatchingModel batching = BatchingModel.builder().setModel(model).optIdleTimeout(Duration.ofMillis(250))
                     .optListener(listener).build()) {
            // 250 ms, not less: without a store, an eviction before the first step below would fail the test on a
            // stalled CI machine
            BatchedSession s = batching.newSession();
            s.step(3);
            waitUntil(s::isEvicted);
            // the sweep counts an eviction and tells the listener just after the session is marked evicted
            waitUntil(() -> listener.evictions.size() == 1);
            assertEquals(0, batching.stats().openSessions());
            assertEquals(1, batching.stats().evictedSessions());
            SessionEvictedException e = assertThrows(SessionEvictedException.class, () -> s.step(1));
            assertTrue(e.getMessage().contains("evicted at") && e.getMessage().contains("idle for more than PT0.25S")
                    && e.getMessage().contains("no EvictionStore"), e.getMessage());
            assertEquals(s.id(), e.sessionId());
            assertThrows(SessionEvictedException.class, s::snapshot);
            assertEquals(List.of("idle for more than PT0.25S"), listener.evictions);
            s.close(); // closing an evicted session is fine
            assertTrue(s.isClosed());
        }
    }

    @Test
    void anEvictedSessionComesBackFromTheStoreAndContinuesExactly() throws Exception {
        Map<String, byte[]> saved = new ConcurrentHashMap<>();
        EvictionStore store = new EvictionStore() {
            @Override
            public void save(String sessionId, byte[] state) {
                saved.put(sessionId, state.clone());
            }

            @Override
            public Optional<byte[]> load(String sessionId) {
                return Optional.ofNullable(saved.get(sessionId));
            }
        };
        byte[] bytes = BatchTestModels.bytes(LSTM, 4);
        try (RecurrentModel model = RecurrentModel.fromBytes(bytes);
             RecurrentModel plain = RecurrentModel.fromBytes(bytes);
             BatchingModel batching = BatchingModel.builder().setModel(model).optIdleTimeout(Duration.ofMillis(30))
                     .optEvictionStore(store).build();
             StepSession ref = plain.newSession()) {
            BatchedSession s = batching.newSession();
            BatchingModelTest.assertClose(ref.feed(new int[] {1, 2, 3})[2], s.feed(new int[] {1, 2, 3})[2], "feed");
            waitUntil(s::isEvicted);
            assertTrue(saved.containsKey(s.id()));
            assertEquals(SessionState.fromBytes(saved.get(s.id())).position(), 3);
            for (int t = 0; t < 5; t++) {
                // on a slow machine the session may be evicted and reloaded again between these steps: still exact
                BatchingModelTest.assertClose(ref.step(t), s.step(t), "after reload, step " + t);
            }
            assertEquals(8, s.position());
            assertTrue(batching.stats().evictedSessions() >= 1);
            // a store that lost the state: the session says so
            waitUntil(s::isEvicted);
            saved.clear();
            SessionEvictedException e = assertThrows(SessionEvictedException.class, () -> s.step(1));
            assertTrue(e.getMessage().contains("holds no state"), e.getMessage());
        }
    }

    @Test
    void closingTheFrontFailsQueuedStepsFinishesTheRunningOneAndNeverHangs() {
        Gate gate = new Gate();
        try (RecurrentModel model = BatchTestModels.load(LSTM, 1)) {
            BatchingModel batching = BatchingModel.builder().setModel(model).optMaxBatchSize(1).optListener(gate)
                    .build();
            assertTimeoutPreemptively(LIMIT, () -> {
                BatchedSession a = batching.newSession();
                BatchedSession b = batching.newSession();
                CompletableFuture<float[]> running = a.stepAsync(1);
                gate.entered.await();
                CompletableFuture<float[]> queuedA = a.stepAsync(2);
                CompletableFuture<float[][]> queuedB = b.feedAsync(new int[] {1, 2});
                Thread closer = new Thread(batching::close);
                closer.start();
                waitUntil(batching::isClosed);
                CompletionException e = assertThrows(CompletionException.class, queuedB::join);
                assertTrue(e.getCause() instanceof IllegalStateException
                        && e.getCause().getMessage().contains("closed before this step ran"), e.toString());
                assertThrows(CompletionException.class, queuedA::join);
                gate.release.countDown();
                closer.join();
                assertEquals(model.info().outputSize(), running.join().length); // the running call completed
                assertTrue(a.isClosed() && b.isClosed());
                IllegalStateException closed = assertThrows(IllegalStateException.class, () -> a.step(1));
                assertTrue(closed.getMessage().contains("BatchingModel was closed"), closed.getMessage());
                assertThrows(IllegalStateException.class, batching::newSession);
                batching.close(); // idempotent
            });
            assertFalse(model.isClosed(), "the front does not close the model it was given");
        }
    }

    @Test
    void closingASessionFailsItsQueuedStepsOnly() {
        Gate gate = new Gate();
        try (RecurrentModel model = BatchTestModels.load(LSTM, 1);
             BatchingModel batching = BatchingModel.builder().setModel(model).optMaxBatchSize(1).optListener(gate)
                     .build()) {
            assertTimeoutPreemptively(LIMIT, () -> {
                BatchedSession a = batching.newSession();
                BatchedSession b = batching.newSession();
                CompletableFuture<float[]> running = a.stepAsync(1);
                gate.entered.await();
                CompletableFuture<float[]> queuedA = a.stepAsync(2);
                CompletableFuture<float[]> queuedB = b.stepAsync(3);
                a.close();
                CompletionException e = assertThrows(CompletionException.class, queuedA::join);
                assertTrue(e.getCause().getMessage().contains("was closed before this step ran"), e.toString());
                gate.release.countDown();
                running.join();
                queuedB.join();
                assertEquals(1, b.position());
                assertEquals(1, batching.stats().openSessions());
                assertEquals(0, batching.stats().queuedSteps());
            });
        }
    }

    @Test
    void closingTheModelUnderTheFrontFailsStepsClearly() {
        RecurrentModel model = BatchTestModels.load(LSTM, 1);
        try (BatchingModel batching = BatchingModel.builder().setModel(model).build()) {
            BatchedSession s = batching.newSession();
            s.step(1);
            model.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(2));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, batching::newSession);
        }
    }

    @Test
    void badInputIsRefusedAtOnceAndChangesNothing() {
        try (RecurrentModel model = BatchTestModels.load(LSTM, 1);
             RecurrentModel other = BatchTestModels.load(new BatchTestModels.Kind(CellKind.GRU, true,
                     HeadKind.PER_STEP, 1), 1);
             BatchingModel batching = BatchingModel.builder().setModel(model).build();
             BatchedSession s = batching.newSession()) {
            s.step(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.step(11));
            assertTrue(e.getMessage().contains("token") && e.getMessage().contains("[0, 11)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> s.feedAsync(new int[] {1, -1}));
            assertTrue(e.getMessage().contains("tokens[1]"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> s.step(new float[] {1}));
            e = assertThrows(IllegalArgumentException.class, () -> s.restore(other.initialState()));
            assertTrue(e.getMessage().contains("fingerprint"), e.getMessage());
            assertEquals(0, s.feed(new int[0]).length);
            assertEquals(1, s.position());
        }
    }

    @Test
    void theBuilderNamesWhatIsWrong() {
        try (RecurrentModel model = BatchTestModels.load(LSTM, 1)) {
            assertMessage(() -> BatchingModel.builder().build(), "model: required");
            assertMessage(() -> BatchingModel.builder().setModel(model).optMaxBatchSize(0).build(),
                    "maxBatchSize: expected ≥ 1 but got 0");
            assertMessage(() -> BatchingModel.builder().setModel(model).optMaxDelay(Duration.ofSeconds(2)).build(),
                    "maxDelay");
            assertMessage(() -> BatchingModel.builder().setModel(model).optMaxSessions(-1).build(), "maxSessions");
            assertMessage(() -> BatchingModel.builder().setModel(model).optIdleTimeout(Duration.ZERO).build(),
                    "idleTimeout");
            assertMessage(() -> BatchingModel.builder().setModel(model).optMaxQueuedSteps(0).build(),
                    "maxQueuedSteps");
            try (BatchingModel b = BatchingModel.builder().setModel(model).build()) {
                assertEquals(BatchingModel.DEFAULT_MAX_BATCH_SIZE, b.maxBatchSize());
                assertEquals(Duration.ofNanos(BatchingModel.DEFAULT_MAX_DELAY_MICROS * 1000L), b.maxDelay());
            }
        }
        try (RecurrentModel bidirectional = io.stepwise.runtime.TinyModels.classifier(1)) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> BatchingModel.builder().setModel(bidirectional).build());
            assertTrue(e.getMessage().contains("bidirectional"), e.getMessage());
        }
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 60 s");
            }
            Thread.sleep(5);
        }
    }
}
