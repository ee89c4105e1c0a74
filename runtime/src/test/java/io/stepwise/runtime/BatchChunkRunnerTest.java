package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.runtime.batch.BatchedSession;
import io.stepwise.runtime.batch.BatchingModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * Batched feeds ({@link RecurrentModel#feedAll}, and through it {@link BatchingModel}) run in chunks of
 * {@link RunLimits#maxStepsPerRun()} stream-steps: the same numbers as one run, and a timeout that stops a long feed
 * within a chunk, leaving every state as it was.
 */
class BatchChunkRunnerTest {
    /**
     * Rows of different lengths: some end inside a chunk, some in the first, one runs on alone. Not longer: the
     * random ReLU RNN's state grows, so rounding differences of calls with other batch sizes grow with the length
     * (unchunked batched feeds of 40 steps already differ from a lone session by 1e-4); at these lengths chunked
     * and unchunked differed by at most 1.4e-6 over 40 random inputs and four chunk sizes.
     */
    private static final int[] LENGTHS = {1, 3, 13, 16, 9, 2};

    @Test
    void chunkedBatchedFeedsEqualOneRunForEveryCellAndInput() {
        List<BatchTestModels.Kind> kinds = BatchTestModels.all();
        for (int k = 0; k < kinds.size(); k++) {
            compareChunked(BatchTestModels.bytes(kinds.get(k), 11), kinds.get(k).toString(), new Random(k));
        }
    }

    @Test
    void chunkedBatchedFeedsOfAFormatOneModelEqualOneRun() {
        // no sequence_lens: one group per length, each chunked on its own
        for (CellKind cell : new CellKind[] {CellKind.LSTM, CellKind.GRU}) {
            NetworkSpec spec = RandomModels.tokenSpec(cell, 2, 6, 9);
            byte[] bytes = SequenceLengthsTest.formatOne(OnnxExporter.builder().build().toModel(spec,
                    RandomModels.weights(spec, 4), RandomModels.metadataFor(spec))).toByteArray();
            compareChunked(bytes, cell + " format 1", new Random(cell.ordinal()));
        }
    }

    /** Feeds the same rows from the same (non-zero) states through one run and through several chunk sizes. */
    private static void compareChunked(byte[] bytes, String what, Random rnd) {
        try (RecurrentModel whole = RecurrentModel.fromBytes(bytes, options(RunLimits.MAX_LIMIT, Duration.ZERO))) {
            ModelInfo info = whole.info();
            int n = LENGTHS.length;
            SessionState[] start = new SessionState[n];
            Object[] prefix = new Object[n];
            Object[] rows = new Object[n];
            for (int i = 0; i < n; i++) {
                prefix[i] = input(info, rnd, 1 + i % 3);
                rows[i] = input(info, rnd, LENGTHS[i]);
            }
            // start from states of different positions, as sessions that fed before
            SteppedStates before = feedAll(whole, filled(n, whole.initialState()), prefix);
            for (int i = 0; i < n; i++) {
                start[i] = before.state(i);
            }
            SteppedStates expected = feedAll(whole, start, rows);
            for (int maxSteps : new int[] {1, 5, 7, 12}) {
                try (RecurrentModel chunked = RecurrentModel.fromBytes(bytes, options(maxSteps, Duration.ZERO))) {
                    SessionState[] states = start.clone();
                    SteppedStates actual = feedAll(chunked, states, rows);
                    for (int i = 0; i < n; i++) {
                        String row = what + " maxStepsPerRun " + maxSteps + " row " + i;
                        float[][] e = expected.outputs(i);
                        float[][] a = actual.outputs(i);
                        assertEquals(e.length, a.length, row + " output rows");
                        for (int t = 0; t < e.length; t++) {
                            RecurrentModelStepAllTest.assertClose(e[t], a[t], row + " output " + t);
                        }
                        RecurrentModelStepAllTest.assertState(expected.state(i), actual.state(i), row);
                        assertEquals(start[i].position() + LENGTHS[i], actual.state(i).position(), row);
                        assertSame(start[i], states[i], row + ": the caller's states are not touched");
                    }
                }
            }
        }
    }

    @Test
    void aLongBatchedFeedPastItsTimeoutIsStoppedAndEverySessionKeepsItsState() {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.LSTM, 2, 256, 9);
        // Unchunked, this call was stopped only after 12 s on a loaded 2-core machine (a recurrent node cannot be
        // stopped inside it), and there is little Java work before the first run; chunks of 512 stream-steps take
        // well under 100 ms each, and the call now stops after ~0.2 s. 200 ms, not less: the short setup feeds
        // run under the same timeout and must survive a stalled CI machine.
        RuntimeOptions options = options(512, Duration.ofMillis(200));
        int[] tokens = RandomModels.randomTokens(new Random(5), 100_000, 9);
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(spec, 3), options)) {
            // the kernel: one call of four long rows and a short one
            SessionState[] states = new SessionState[5];
            int[][] feeds = new int[5][];
            for (int i = 0; i < 5; i++) {
                states[i] = model.feedAll(new SessionState[] {model.initialState()}, new int[][] {{i, 1, 2}}).state(0);
                feeds[i] = i == 4 ? new int[] {3, 4} : tokens;
            }
            SessionState[] kept = states.clone();
            long start = System.nanoTime();
            RunCancelledException e = assertThrows(RunCancelledException.class, () -> model.feedAll(states, feeds));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(RunCancelledException.Reason.TIMEOUT, e.reason());
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
            assertTrue(ms < 5_000, "the batched feed was stopped after " + ms + " ms");
            for (int i = 0; i < 5; i++) {
                assertSame(kept[i], states[i]);
            }
            assertEquals(5, model.feedAll(states, new int[][] {{1}, {2}, {3}, {4}, {5, 6}}).state(4).position(),
                    "the kernel still runs");

            // the batching front: every session's long feed fails, and every session keeps its state
            try (BatchingModel batching = BatchingModel.builder().setModel(model).build()) {
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                    List<BatchedSession> sessions = new ArrayList<>();
                    List<SessionState> saved = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        BatchedSession s = batching.newSession();
                        s.feed(new int[] {i, 2, 1});
                        sessions.add(s);
                        saved.add(s.snapshot());
                    }
                    long began = System.nanoTime();
                    List<CompletableFuture<float[][]>> futures = new ArrayList<>();
                    for (BatchedSession s : sessions) {
                        futures.add(s.feedAsync(tokens));
                    }
                    for (CompletableFuture<float[][]> f : futures) {
                        CompletionException c = assertThrows(CompletionException.class, f::join);
                        assertTrue(c.getCause() instanceof RunCancelledException, String.valueOf(c.getCause()));
                        assertEquals(RunCancelledException.Reason.TIMEOUT, ((RunCancelledException) c.getCause())
                                .reason());
                    }
                    long took = (System.nanoTime() - began) / 1_000_000;
                    assertTrue(took < 10_000, "the batched feeds were stopped after " + took + " ms");
                    for (int i = 0; i < 4; i++) {
                        assertEquals(saved.get(i), sessions.get(i).snapshot(), "session " + i + " keeps its state");
                        assertEquals(9, sessions.get(i).step(4).length, "session " + i + " still runs");
                        assertEquals(4, sessions.get(i).position());
                    }
                });
            }
        }
    }

    private static RuntimeOptions options(int maxStepsPerRun, Duration timeout) {
        return RuntimeOptions.builder().optRunLimits(RunLimits.builder().optMaxStepsPerRun(maxStepsPerRun)
                .optCallTimeout(timeout).build()).build();
    }

    private static Object input(ModelInfo info, Random rnd, int length) {
        return info.isTokenInput() ? RandomModels.randomTokens(rnd, length, info.inputSize())
                : RandomModels.randomSteps(rnd, length, info.inputSize());
    }

    private static SteppedStates feedAll(RecurrentModel model, SessionState[] states, Object[] rows) {
        return model.info().isTokenInput()
                ? model.feedAll(states, java.util.Arrays.copyOf(rows, rows.length, int[][].class))
                : model.feedAll(states, java.util.Arrays.copyOf(rows, rows.length, float[][][].class));
    }

    private static SessionState[] filled(int n, SessionState state) {
        SessionState[] a = new SessionState[n];
        java.util.Arrays.fill(a, state);
        return a;
    }
}
