package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The stateless batched kernel ({@link RecurrentModel#stepAll}, {@code feedAll}) against plain sessions. */
class RecurrentModelStepAllTest {
    private static final float TOLERANCE = 1e-5f;

    static java.util.List<BatchTestModels.Kind> kinds() {
        return BatchTestModels.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void stepAllAndFeedAllEqualSessionsForEveryRow(BatchTestModels.Kind kind) {
        Random rnd = new Random(kind.hashCode());
        try (RecurrentModel model = BatchTestModels.load(kind, 7)) {
            ModelInfo info = model.info();
            int rows = 1 + rnd.nextInt(9);
            SessionState[] states = new SessionState[rows];
            for (int i = 0; i < rows; i++) {
                states[i] = i == 0 ? model.initialState() : advanced(model, rnd, 1 + rnd.nextInt(5));
            }
            // one step each
            SteppedStates stepped;
            Object[] inputs = new Object[rows];
            if (info.isTokenInput()) {
                int[] tokens = RandomModels.randomTokens(rnd, rows, info.inputSize());
                stepped = model.stepAll(states, tokens);
                for (int i = 0; i < rows; i++) {
                    inputs[i] = new int[] {tokens[i]};
                }
            } else {
                float[][] features = RandomModels.randomSteps(rnd, rows, info.inputSize());
                stepped = model.stepAll(states, features);
                for (int i = 0; i < rows; i++) {
                    inputs[i] = new float[][] {features[i]};
                }
            }
            assertEquals(rows, stepped.size());
            for (int i = 0; i < rows; i++) {
                try (StepSession s = model.newSession()) {
                    s.restore(states[i]);
                    float[][] expected = feed(s, inputs[i]);
                    assertClose(expected[expected.length - 1], stepped.output(i), kind + " row " + i);
                    assertState(s.snapshot(), stepped.state(i), kind + " row " + i);
                }
            }
            // ragged feeds
            Object[] feeds = new Object[rows];
            SteppedStates fed;
            if (info.isTokenInput()) {
                int[][] tokens = new int[rows][];
                for (int i = 0; i < rows; i++) {
                    tokens[i] = RandomModels.randomTokens(rnd, 1 + rnd.nextInt(6), info.inputSize());
                    feeds[i] = tokens[i];
                }
                fed = model.feedAll(states, tokens);
            } else {
                float[][][] features = new float[rows][][];
                for (int i = 0; i < rows; i++) {
                    features[i] = RandomModels.randomSteps(rnd, 1 + rnd.nextInt(6), info.inputSize());
                    feeds[i] = features[i];
                }
                fed = model.feedAll(states, features);
            }
            for (int i = 0; i < rows; i++) {
                try (StepSession s = model.newSession()) {
                    s.restore(states[i]);
                    float[][] expected = feed(s, feeds[i]);
                    float[][] actual = fed.outputs(i);
                    assertEquals(expected.length, actual.length, kind + " rows of feed " + i);
                    for (int r = 0; r < expected.length; r++) {
                        assertClose(expected[r], actual[r], kind + " feed " + i + " row " + r);
                    }
                    assertState(s.snapshot(), fed.state(i), kind + " feed " + i);
                }
            }
        }
    }

    @Test
    void initialStateIsZerosAtPositionZeroAndShared() {
        try (RecurrentModel model = BatchTestModels.load(BatchTestModels.all().get(4), 1);
             StepSession s = model.newSession()) {
            assertEquals(s.snapshot(), model.initialState());
            assertSame(model.initialState(), model.initialState());
        }
    }

    @Test
    void badInputIsRefusedBeforeAnythingRuns() {
        BatchTestModels.Kind kind = new BatchTestModels.Kind(CellKind.LSTM, true,
                io.stepwise.conversion.HeadKind.PER_STEP, 2);
        try (RecurrentModel model = BatchTestModels.load(kind, 3);
             RecurrentModel other = BatchTestModels.load(new BatchTestModels.Kind(CellKind.GRU, true,
                     io.stepwise.conversion.HeadKind.PER_STEP, 1), 3)) {
            SessionState zero = model.initialState();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.stepAll(new SessionState[] {zero, zero}, new int[] {1, 11}));
            assertTrue(e.getMessage().contains("tokens[1]") && e.getMessage().contains("[0, 11)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.stepAll(new SessionState[] {zero}, new int[] {1, 2}));
            assertTrue(e.getMessage().contains("one row per state"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.stepAll(new SessionState[] {zero, other.initialState()}, new int[] {1, 2}));
            assertTrue(e.getMessage().contains("states[1]") && e.getMessage().contains("fingerprint"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.feedAll(new SessionState[] {zero}, new int[][] {{}}));
            assertTrue(e.getMessage().contains("tokens[0]"), e.getMessage());
            assertThrows(UnsupportedOperationException.class,
                    () -> model.stepAll(new SessionState[] {zero}, new float[][] {{1, 2, 3}}));
            model.close();
            assertThrows(IllegalStateException.class, () -> model.stepAll(new SessionState[] {zero}, new int[] {1}));
        }
    }

    /**
     * The kernel's pooled workspaces keep tensors per batch size and grow their buffers: calls of changing sizes
     * and lengths from more threads than the pool keeps must each equal plain sessions.
     */
    @Test
    void concurrentCallsOfChangingSizesEqualSessions() throws Exception {
        BatchTestModels.Kind kind = new BatchTestModels.Kind(CellKind.LSTM, true,
                io.stepwise.conversion.HeadKind.PER_STEP, 2);
        int threads = 24;
        int[] sizes = {1, 3, 1, 40, 2, 3, 70, 1};
        try (RecurrentModel model = BatchTestModels.load(kind, 5)) {
            int vocabulary = model.info().inputSize();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int w = 0; w < threads; w++) {
                    int seed = w;
                    done.add(pool.submit(() -> {
                        Random rnd = new Random(seed);
                        for (int size : sizes) {
                            SessionState[] states = new SessionState[size];
                            int[][] feeds = new int[size][];
                            for (int i = 0; i < size; i++) {
                                states[i] = i % 2 == 0 ? model.initialState() : advanced(model, rnd, 1 + i % 3);
                                // one step mostly (kept bindings), sometimes a ragged feed (bound per call)
                                feeds[i] = RandomModels.randomTokens(rnd, seed % 3 == 0 ? 1 + i % 4 : 1, vocabulary);
                            }
                            SteppedStates out = model.feedAll(states, feeds);
                            int i = rnd.nextInt(size);
                            try (StepSession s = model.newSession()) {
                                s.restore(states[i]);
                                float[][] expected = s.feed(feeds[i]);
                                assertClose(expected[expected.length - 1], out.outputs(i)[feeds[i].length - 1],
                                        "thread " + seed + " size " + size + " row " + i);
                                assertState(s.snapshot(), out.state(i), "thread " + seed + " size " + size);
                                // a state the kernel produced steps on exactly as the session does
                                SteppedStates again = model.stepAll(new SessionState[] {out.state(i)}, new int[] {2});
                                assertClose(s.step(2), again.output(0), "thread " + seed + " again");
                            }
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    private static SessionState advanced(RecurrentModel model, Random rnd, int steps) {
        try (StepSession s = model.newSession()) {
            ModelInfo info = model.info();
            if (info.isTokenInput()) {
                s.feed(RandomModels.randomTokens(rnd, steps, info.inputSize()));
            } else {
                s.feed(RandomModels.randomSteps(rnd, steps, info.inputSize()));
            }
            return s.snapshot();
        }
    }

    private static float[][] feed(Session s, Object input) {
        return input instanceof int[] t ? s.feed(t) : s.feed((float[][]) input);
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            // 1e-5, relative beyond magnitude 1: a ReLU RNN's state grows to ~35, where one float ulp is 4e-6
            assertEquals(expected[i], actual[i], TOLERANCE * Math.max(1f, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    static void assertState(SessionState expected, SessionState actual, String what) {
        assertEquals(expected.position(), actual.position(), what + " position");
        assertEquals(expected.fingerprint(), actual.fingerprint(), what);
        assertClose(expected.hidden(), actual.hidden(), what + " h");
        if (expected.hasCellState()) {
            assertClose(expected.cell().orElseThrow(), actual.cell().orElseThrow(), what + " c");
        }
        assertArrayEquals(expected.stateShape(), actual.stateShape());
    }
}
