package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StepSessionTest {
    private static final float TOLERANCE = 1e-5f;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void stepEqualsFeedEqualsForwardForTokens(CellKind cell) {
        NetworkSpec spec = RandomModels.tokenSpec(cell, 2, 5, 9);
        int[] tokens = RandomModels.randomTokens(new Random(1), 7, 9);
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(spec, 11));
             StepSession stepped = model.newSession(); StepSession fed = model.newSession()) {
            long[][] batch = {java.util.Arrays.stream(tokens).asLongStream().toArray()};
            BatchResult forward = model.forward(batch, null, null);
            float[][] rows = fed.feed(tokens);
            assertEquals(tokens.length, rows.length);
            for (int t = 0; t < tokens.length; t++) {
                float[] s = stepped.step(tokens[t]);
                assertClose(forward.outputAt(0, t), s, "step " + t);
                assertClose(forward.outputAt(0, t), rows[t], "feed " + t);
            }
            SessionState a = stepped.snapshot();
            SessionState b = fed.snapshot();
            assertClose(forward.hn(), a.hidden(), "hn after steps");
            assertClose(forward.hn(), b.hidden(), "hn after feed");
            if (cell == CellKind.LSTM) {
                assertClose(forward.cn(), a.cell().orElseThrow(), "cn after steps");
            } else {
                assertTrue(a.cell().isEmpty());
            }
            assertEquals(tokens.length, stepped.position());
            assertEquals(tokens.length, fed.position());
        }
    }

    @ParameterizedTest
    @EnumSource(value = CellKind.class, names = {"LSTM", "GRU"})
    void stepEqualsFeedEqualsForwardForFeatures(CellKind cell) {
        NetworkSpec spec = RandomModels.featureSpec(cell, 2, 4, 3, 2);
        float[][] x = RandomModels.randomSteps(new Random(2), 6, 3);
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(spec, 12));
             StepSession stepped = model.newSession(); StepSession fed = model.newSession()) {
            BatchResult forward = model.forward(new float[][][] {x}, null, null);
            // Feed in two chunks to check that the state carries across feed calls too.
            float[][] first = fed.feed(java.util.Arrays.copyOfRange(x, 0, 2));
            float[][] rest = fed.feed(java.util.Arrays.copyOfRange(x, 2, 6));
            for (int t = 0; t < x.length; t++) {
                assertClose(forward.outputAt(0, t), stepped.step(x[t]), "step " + t);
                assertClose(forward.outputAt(0, t), t < 2 ? first[t] : rest[t - 2], "feed " + t);
            }
        }
    }

    @Test
    void classifierStepReturnsTheOutputAfterEachPrefix() {
        NetworkSpec spec = RandomModels.classifierSpec(CellKind.GRU, 1, 4, 6, 3, false);
        int[] tokens = {1, 4, 2, 5};
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(spec, 13));
             StepSession session = model.newSession(); StepSession fed = model.newSession()) {
            for (int t = 0; t < tokens.length; t++) {
                float[] out = session.step(tokens[t]);
                long[][] prefix = {java.util.Arrays.stream(tokens, 0, t + 1).asLongStream().toArray()};
                assertClose(model.forward(prefix, null, null).outputAt(0), out, "prefix " + (t + 1));
            }
            float[][] rows = fed.feed(tokens);
            assertEquals(1, rows.length);
            assertClose(session.snapshot().hidden(), fed.snapshot().hidden(), "state");
        }
    }

    @Test
    void bidirectionalModelsRefuseSessionsFromTheStartAndNameTheAlternatives() {
        NetworkSpec spec = RandomModels.classifierSpec(CellKind.LSTM, 2, 4, 6, 3, true);
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(spec, 14))) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, model::newSession);
            assertTrue(e.getMessage().contains("bidirectional") && e.getMessage().contains("SequenceClassifier")
                    && e.getMessage().contains("RecurrentModel.forward"), e.getMessage());
            assertEquals(0, model.openSessions());
            // The whole-sequence path still runs it, as often as asked.
            float[] once = model.forward(new long[][] {{1, 4, 2, 5, 0}}).outputAt(0);
            assertClose(once, model.forward(new long[][] {{1, 4, 2, 5, 0}}).outputAt(0), "forward again");
            SessionSource source = model;
            assertThrows(UnsupportedOperationException.class, source::newSession);
        }
    }

    @Test
    void resetSnapshotAndRestoreReproduceTheContinuation() {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.LSTM, 2, 6, 8);
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(spec, 15));
             StepSession session = model.newSession(); StepSession other = model.newSession()) {
            float[] fresh = session.step(3);
            session.feed(new int[] {1, 2, 7});
            SessionState mid = session.snapshot();
            assertEquals(4, mid.position());
            float[] next = session.step(5);
            assertNotEquals(fresh[0], next[0]);
            session.restore(mid);
            assertEquals(4, session.position());
            assertArrayEquals(next, session.step(5));
            other.restore(SessionState.fromBytes(mid.toBytes()));
            assertArrayEquals(next, other.step(5));
            session.reset();
            assertEquals(0, session.position());
            assertArrayEquals(fresh, session.step(3));
        }
    }

    @Test
    void restoreRefusesAStateOfAnotherArchitecture() {
        try (RecurrentModel a = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 6), 1));
             RecurrentModel b = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 5, 6), 1));
             StepSession sa = a.newSession(); StepSession sb = b.newSession()) {
            SessionState state = sa.snapshot();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sb.restore(state));
            assertTrue(e.getMessage().contains(a.info().fingerprint()), e.getMessage());
            assertTrue(e.getMessage().contains(b.info().fingerprint()), e.getMessage());
        }
    }

    @Test
    void badInputIsRefusedWithoutChangingTheState() {
        try (RecurrentModel lm = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.LSTM, 1, 4, 6), 2));
             RecurrentModel fc = RecurrentModel.fromBytes(RandomModels.bytes(
                     RandomModels.featureSpec(CellKind.GRU, 1, 4, 3, 1), 2));
             StepSession s = lm.newSession(); StepSession f = fc.newSession()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.step(6));
            assertTrue(e.getMessage().contains("6") && e.getMessage().contains("[0, 6)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.step(-1));
            e = assertThrows(IllegalArgumentException.class, () -> s.feed(new int[] {1, 2, 9}));
            assertTrue(e.getMessage().contains("tokens[2]"), e.getMessage());
            assertEquals(0, s.position());
            assertThrows(UnsupportedOperationException.class, () -> s.step(new float[] {1f}));
            assertThrows(UnsupportedOperationException.class, () -> f.step(1));

            e = assertThrows(IllegalArgumentException.class, () -> f.step(new float[] {1f, 2f}));
            assertTrue(e.getMessage().contains("expected 3 features but got 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> f.step(new float[] {1f, Float.NaN, 2f}));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> f.feed(new float[][] {{1f, 2f, 3f}, {1f, Float.POSITIVE_INFINITY, 0f}}));
            assertThrows(IllegalArgumentException.class, () -> f.step((float[]) null));
            assertEquals(0, f.position());
            assertEquals(0, f.feed(new float[0][]).length);
            assertEquals(0, f.position());
        }
    }

    @Test
    void useAfterCloseIsRefusedAndCloseIsIdempotent() {
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 6), 3))) {
            StepSession s = model.newSession();
            assertEquals(1, model.openSessions());
            s.close();
            s.close();
            assertEquals(0, model.openSessions());
            assertTrue(s.isClosed());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(1));
            assertTrue(e.getMessage().contains("closed"));
            assertThrows(IllegalStateException.class, s::snapshot);
            assertThrows(IllegalStateException.class, s::reset);
        }
    }

    @Test
    void closingTheModelClosesItsSessions() {
        RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.LSTM, 1, 4, 6), 4));
        StepSession s = model.newSession();
        s.step(2);
        model.close();
        model.close();
        assertTrue(model.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(1));
        assertTrue(e.getMessage().contains("model"), e.getMessage());
        assertThrows(IllegalStateException.class, model::newSession);
        s.close();
    }

    @Test
    void concurrentUseOfOneSessionIsDetected() throws Exception {
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 6), 5));
             StepSession session = model.newSession()) {
            AtomicReference<Object> firstResult = new AtomicReference<>();
            // Hold the model's close lock so that the first caller stops inside step(), owning the session.
            model.lock().writeLock().lock();
            Thread first = new Thread(() -> {
                try {
                    firstResult.set(session.step(1));
                } catch (RuntimeException e) {
                    firstResult.set(e);
                }
            }, "first-user");
            try {
                first.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!model.lock().hasQueuedThread(first) && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertTrue(model.lock().hasQueuedThread(first), "first thread never entered step()");
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> session.step(2));
                assertTrue(e.getMessage().contains("not thread-safe") && e.getMessage().contains("first-user"),
                        e.getMessage());
                assertThrows(IllegalStateException.class, session::close);
            } finally {
                model.lock().writeLock().unlock();
            }
            first.join(10_000);
            assertTrue(firstResult.get() instanceof float[], "first caller should succeed: " + firstResult.get());
            assertEquals(1, session.position());
        }
    }

    @Test
    void manySessionsOnSeveralThreadsMatchSingleThreadedResults() throws Exception {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.LSTM, 2, 6, 10);
        int streams = 8;
        int steps = 50;
        try (RecurrentModel model = RecurrentModel.load(RandomModels.write(dir, "lm.onnx", spec, 6))) {
            List<int[]> inputs = new ArrayList<>();
            List<float[][]> expected = new ArrayList<>();
            Random rnd = new Random(7);
            for (int i = 0; i < streams; i++) {
                int[] tokens = RandomModels.randomTokens(rnd, steps, 10);
                inputs.add(tokens);
                try (StepSession s = model.newSession()) {
                    expected.add(s.feed(tokens));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<float[][]>> results = new ArrayList<>();
            try {
                for (int i = 0; i < streams; i++) {
                    int[] tokens = inputs.get(i);
                    results.add(pool.submit(() -> {
                        start.await();
                        try (StepSession s = model.newSession()) {
                            float[][] out = new float[tokens.length][];
                            for (int t = 0; t < tokens.length; t++) {
                                out[t] = s.step(tokens[t]);
                            }
                            return out;
                        }
                    }));
                }
                start.countDown();
                for (int i = 0; i < streams; i++) {
                    float[][] got = results.get(i).get(60, TimeUnit.SECONDS);
                    for (int t = 0; t < steps; t++) {
                        assertClose(expected.get(i)[t], got[t], "stream " + i + " step " + t);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(0, model.openSessions());
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE, what + " [" + i + "]");
        }
    }
}
