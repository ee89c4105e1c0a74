package io.stepwise.runtime.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.BatchTestModels;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StepSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Batched sessions equal plain {@link StepSession}s within 1e-5, whatever shared their calls: every cell, token and
 * feature input, both heads; several caller threads in random arrival order, batch sizes 1…max, sessions opened and
 * closed in between, steps, feeds of random lengths, async chains, snapshot/restore and reset.
 */
class BatchingModelTest {
    private static final float TOLERANCE = 1e-5f;

    static List<BatchTestModels.Kind> kinds() {
        return BatchTestModels.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void outputsDoNotDependOnWhoSharedTheCall(BatchTestModels.Kind kind) throws Exception {
        long seed = kind.toString().hashCode();
        Random setup = new Random(seed);
        byte[] bytes = BatchTestModels.bytes(kind, seed);
        int maxBatch = 1 + setup.nextInt(8);
        Duration delay = setup.nextBoolean() ? Duration.ZERO : Duration.ofNanos(200_000);
        AtomicInteger largest = new AtomicInteger();
        try (RecurrentModel batchedModel = RecurrentModel.fromBytes(bytes);
             RecurrentModel plain = RecurrentModel.fromBytes(bytes);
             BatchingModel batching = BatchingModel.builder().setModel(batchedModel).optMaxBatchSize(maxBatch)
                     .optMaxDelay(delay).optListener(new BatchListener() {
                         @Override
                         public void onBatch(int size, long queueWaitNanos, long runNanos) {
                             largest.accumulateAndGet(size, Math::max);
                         }
                     }).build()) {
            int threads = 4;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Integer>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long threadSeed = seed * 31 + t;
                    done.add(pool.submit(() -> script(batching, plain, new Random(threadSeed), kind)));
                }
                int compared = 0;
                for (Future<Integer> f : done) {
                    compared += f.get(60, TimeUnit.SECONDS);
                }
                assertTrue(compared > 100, "compared " + compared);
            } finally {
                pool.shutdownNow();
            }
            BatchingStats stats = batching.stats();
            assertEquals(0, stats.openSessions(), "every session was closed");
            assertEquals(0, stats.queuedSteps());
            assertTrue(largest.get() <= maxBatch, "batch of " + largest.get() + " > max " + maxBatch);
            assertTrue(stats.steps() >= stats.calls() && stats.calls() > 0, stats.toString());
        }
    }

    /** One caller: several session lifetimes of random operations, each checked against a plain session. */
    private static int script(BatchingModel batching, RecurrentModel plain, Random rnd, BatchTestModels.Kind kind) {
        ModelInfo info = plain.info();
        int compared = 0;
        for (int life = 0; life < 5; life++) {
            try (BatchedSession s = batching.newSession(); StepSession ref = plain.newSession()) {
                List<SessionState> snapshots = new ArrayList<>();
                int ops = 6 + rnd.nextInt(12);
                for (int op = 0; op < ops; op++) {
                    String what = kind + " life " + life + " op " + op;
                    int choice = rnd.nextInt(100);
                    if (choice < 55) {
                        if (info.isTokenInput()) {
                            int token = rnd.nextInt(info.inputSize());
                            assertClose(ref.step(token), s.step(token), what + " step");
                        } else {
                            float[] x = random(rnd, info.inputSize());
                            assertClose(ref.step(x), s.step(x), what + " step");
                        }
                        compared++;
                    } else if (choice < 75) {
                        int n = 1 + rnd.nextInt(5);
                        float[][] expected;
                        float[][] actual;
                        if (info.isTokenInput()) {
                            int[] tokens = new int[n];
                            for (int i = 0; i < n; i++) {
                                tokens[i] = rnd.nextInt(info.inputSize());
                            }
                            expected = ref.feed(tokens);
                            actual = s.feed(tokens);
                        } else {
                            float[][] x = new float[n][];
                            for (int i = 0; i < n; i++) {
                                x[i] = random(rnd, info.inputSize());
                            }
                            expected = ref.feed(x);
                            actual = s.feed(x);
                        }
                        assertEquals(expected.length, actual.length, what);
                        for (int r = 0; r < expected.length; r++) {
                            assertClose(expected[r], actual[r], what + " feed row " + r);
                        }
                        compared++;
                    } else if (choice < 87) {
                        // an async chain: several steps queued without waiting, in order
                        int n = 2 + rnd.nextInt(3);
                        List<CompletableFuture<float[]>> futures = new ArrayList<>();
                        List<float[]> expected = new ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            if (info.isTokenInput()) {
                                int token = rnd.nextInt(info.inputSize());
                                expected.add(ref.step(token));
                                futures.add(s.stepAsync(token));
                            } else {
                                float[] x = random(rnd, info.inputSize());
                                expected.add(ref.step(x));
                                futures.add(s.stepAsync(x));
                            }
                        }
                        for (int i = 0; i < n; i++) {
                            assertClose(expected.get(i), futures.get(i).join(), what + " async " + i);
                        }
                        compared += n;
                    } else if (choice < 94) {
                        SessionState snap = s.snapshot();
                        assertStateClose(ref.snapshot(), snap, what + " snapshot");
                        snapshots.add(snap);
                        if (snapshots.size() > 1 && rnd.nextBoolean()) {
                            SessionState back = snapshots.get(rnd.nextInt(snapshots.size()));
                            s.restore(back);
                            ref.restore(back);
                        }
                    } else {
                        s.reset();
                        ref.reset();
                    }
                    assertEquals(ref.position(), s.position(), what + " position");
                    if (rnd.nextInt(4) == 0) {
                        Thread.yield();
                    }
                }
            }
        }
        return compared;
    }

    @Test
    void manyThreadsShareCallsAndIdsAreUnique() throws Exception {
        BatchTestModels.Kind kind = BatchTestModels.all().get(8); // an LSTM
        byte[] bytes = BatchTestModels.bytes(kind, 5);
        try (RecurrentModel model = RecurrentModel.fromBytes(bytes);
             BatchingModel batching = BatchingModel.builder().setModel(model).optMaxBatchSize(16).build()) {
            int threads = 16;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int seed = t;
                    done.add(pool.submit(() -> {
                        Random rnd = new Random(seed);
                        try (BatchedSession s = batching.newSession()) {
                            ids.add(s.id());
                            for (int i = 0; i < 200; i++) {
                                if (kind.tokens()) {
                                    s.step(rnd.nextInt(s.info().inputSize()));
                                } else {
                                    s.step(random(rnd, s.info().inputSize()));
                                }
                            }
                            assertEquals(200, s.position());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(threads, ids.size());
            for (String id : ids) {
                assertEquals(22, id.length(), id);
            }
            BatchingStats stats = batching.stats();
            assertEquals(threads * 200L, stats.steps());
            assertTrue(stats.meanBatchSize() > 1.2, "16 busy threads should share calls: " + stats);
        }
    }

    @Test
    void noSessionStarvesWhileOthersKeepTheSchedulerBusy() throws Exception {
        BatchTestModels.Kind kind = BatchTestModels.all().get(12); // a GRU
        try (RecurrentModel model = BatchTestModels.load(kind, 2);
             BatchingModel batching = BatchingModel.builder().setModel(model).optMaxBatchSize(2).build()) {
            int sessions = 8;
            int steps = 30;
            List<BatchedSession> open = new ArrayList<>();
            int[] completed = new int[sessions];
            List<Integer> spreads = new ArrayList<>();
            List<CompletableFuture<float[]>> all = new ArrayList<>();
            for (int i = 0; i < sessions; i++) {
                open.add(batching.newSession());
            }
            // every session queues all its steps at once: a greedy scheduler would finish one before the next
            for (int k = 0; k < steps; k++) {
                for (int i = 0; i < sessions; i++) {
                    int who = i;
                    CompletableFuture<float[]> f = kind.tokens() ? open.get(i).stepAsync(k % 5)
                            : open.get(i).stepAsync(new float[] {k, 1, -1});
                    all.add(f.whenComplete((r, e) -> {
                        synchronized (completed) {
                            completed[who]++;
                            int min = Integer.MAX_VALUE;
                            int max = 0;
                            for (int c : completed) {
                                min = Math.min(min, c);
                                max = Math.max(max, c);
                            }
                            spreads.add(max - min);
                        }
                    }));
                }
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            int worst = spreads.stream().mapToInt(Integer::intValue).max().orElseThrow();
            assertTrue(worst <= 2, "round robin keeps sessions within 2 steps of each other, worst " + worst);
            for (BatchedSession s : open) {
                assertEquals(steps, s.position());
                s.close();
            }
        }
    }

    @Test
    void idsAreUnguessableAndDistinct() {
        try (RecurrentModel model = BatchTestModels.load(BatchTestModels.all().get(0), 1);
             BatchingModel batching = BatchingModel.builder().setModel(model).build()) {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 500; i++) {
                try (BatchedSession s = batching.newSession()) {
                    assertTrue(ids.add(s.id()));
                    assertTrue(s.id().matches("[A-Za-z0-9_-]{22}"), s.id());
                }
            }
            assertNotEquals(0, ids.size());
        }
    }

    static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            // 1e-5, relative beyond magnitude 1: a ReLU RNN's state grows to ~35, where one float ulp is 4e-6
            assertEquals(expected[i], actual[i], TOLERANCE * Math.max(1f, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    static void assertStateClose(SessionState expected, SessionState actual, String what) {
        assertEquals(expected.position(), actual.position(), what + " position");
        assertClose(expected.hidden(), actual.hidden(), what + " h");
        if (expected.hasCellState()) {
            assertClose(expected.cell().orElseThrow(), actual.cell().orElseThrow(), what + " c");
        }
    }
}
