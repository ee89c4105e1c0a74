package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import io.stepwise.runtime.forecast.Forecaster;
import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.TextGenerator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Every call bounded: chunked runs, call timeouts, cancel, helper limits, non-finite outputs. */
class RunLimitsTest {

    private static RuntimeOptions limits(RunLimits.Builder b) {
        return RuntimeOptions.builder().optRunLimits(b.build()).build();
    }

    private static RecurrentModel model(NetworkSpec spec, RuntimeOptions options) {
        return RecurrentModel.fromBytes(RandomModels.bytes(spec, 7), options);
    }

    @Test
    void builderChecksRangesAndNamesTheSetting() {
        RunLimits d = RunLimits.defaults();
        assertEquals(RunLimits.DEFAULT_MAX_STEPS_PER_RUN, d.maxStepsPerRun());
        assertEquals(RunLimits.DEFAULT_CALL_TIMEOUT, d.callTimeout());
        assertTrue(d.rejectNonFinite());
        assertEquals(d, d.toBuilder().build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunLimits.builder().optMaxStepsPerRun(0).build());
        assertTrue(e.getMessage().contains("maxStepsPerRun"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> RunLimits.builder().optCallTimeout(Duration.ofSeconds(-1)).build());
        assertTrue(e.getMessage().contains("callTimeout"), e.getMessage());
        assertFalse(RunLimits.builder().optCallTimeout(Duration.ZERO).build().hasCallTimeout());
        assertEquals(RunLimits.defaults(), RuntimeOptions.defaults().runLimits());
    }

    @Test
    void chunkedFeedEqualsOneRunForEveryHeadAndInput() {
        RuntimeOptions chunked = limits(RunLimits.builder().optMaxStepsPerRun(7));
        Random rnd = new Random(3);
        for (NetworkSpec spec : List.of(RandomModels.tokenSpec(CellKind.LSTM, 2, 6, 9),
                RandomModels.featureSpec(CellKind.GRU, 1, 5, 3, 2),
                RandomModels.classifierSpec(CellKind.RNN_TANH, 2, 4, 6, 3, false))) {
            int[] tokens = RandomModels.randomTokens(rnd, 100, spec.inputSize());
            float[][] steps = RandomModels.randomSteps(rnd, 100, spec.inputSize());
            try (RecurrentModel whole = model(spec, RuntimeOptions.defaults());
                 RecurrentModel parts = model(spec, chunked);
                 StepSession a = whole.newSession(); StepSession b = parts.newSession()) {
                boolean tok = whole.info().isTokenInput();
                float[][] ra = tok ? a.feed(tokens) : a.feed(steps);
                float[][] rb = tok ? b.feed(tokens) : b.feed(steps);
                assertEquals(ra.length, rb.length, spec.toString());
                for (int i = 0; i < ra.length; i++) {
                    assertClose(ra[i], rb[i], spec + " row " + i);
                }
                assertEquals(100, b.position());
                assertClose(a.snapshot().hidden(), b.snapshot().hidden(), spec + " state");

                BatchResult fa = tok ? whole.forward(new long[][] {longs(tokens), longs(tokens), longs(tokens)})
                        : whole.forward(new float[][][] {steps, steps, steps});
                BatchResult fb = tok ? parts.forward(new long[][] {longs(tokens), longs(tokens), longs(tokens)})
                        : parts.forward(new float[][][] {steps, steps, steps});
                assertArrayEquals(fa.outputShape(), fb.outputShape());
                assertClose(fa.output(), fb.output(), spec + " forward output");
                assertClose(fa.hn(), fb.hn(), spec + " forward hn");
            }
        }
    }

    private static long[] longs(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }

    private static void assertClose(float[] a, float[] b, String what) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], 1e-5, what + " [" + i + "]");
        }
    }

    @Test
    void aFeedPastItsTimeoutIsStoppedAndTheSessionKeepsItsState() {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.LSTM, 2, 32, 9);
        RuntimeOptions options = limits(RunLimits.builder().optMaxStepsPerRun(256)
                .optCallTimeout(Duration.ofMillis(200)));
        // 200 ms, not less: the short setup feed below runs under the same timeout and must survive a stalled CI
        // machine, while the 400,000-step feed takes seconds even on a fast one.
        try (RecurrentModel model = model(spec, options); StepSession s = model.newSession()) {
            s.feed(new int[] {1, 2, 3});
            SessionState before = s.snapshot();
            int[] tokens = RandomModels.randomTokens(new Random(1), 400_000, 9);
            long start = System.nanoTime();
            RunCancelledException e = assertThrows(RunCancelledException.class, () -> s.feed(tokens));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(RunCancelledException.Reason.TIMEOUT, e.reason());
            assertTrue(e.getMessage().contains("timeout"), e.getMessage());
            assertTrue(ms < 5_000, "stopped after " + ms + " ms");
            assertEquals(before, s.snapshot(), "the state before the call is kept");
            assertEquals(9, s.step(4).length, "the session still runs");

            long[][] batch = {longs(tokens)};
            assertThrows(RunCancelledException.class, () -> model.forward(batch));

            // the batch kernel: a feed is timed, and the next call (on a fresh workspace) runs unhindered
            SessionState[] states = {before, before};
            RunCancelledException k = assertThrows(RunCancelledException.class,
                    () -> model.feedAll(states, new int[][] {tokens, {1}}));
            assertEquals(RunCancelledException.Reason.TIMEOUT, k.reason());
            for (int i = 0; i < 3; i++) {
                assertEquals(9, model.stepAll(states, new int[] {4, 5}).output(1).length, "the kernel still runs");
            }
        }
    }

    @Test
    void cancelStopsALongFeedFromAnotherThread() throws Exception {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.GRU, 2, 48, 9);
        RuntimeOptions options = limits(RunLimits.builder().optMaxStepsPerRun(512).optCallTimeout(Duration.ZERO));
        try (RecurrentModel model = model(spec, options); StepSession s = model.newSession()) {
            SessionState before = s.snapshot();
            int[] tokens = RandomModels.randomTokens(new Random(2), 1_000_000, 9);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread feeder = new Thread(() -> {
                try {
                    s.feed(tokens);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            feeder.start();
            Thread.sleep(50);
            while (feeder.isAlive()) {
                s.cancel();
                feeder.join(20);
            }
            assertTrue(thrown.get() instanceof RunCancelledException, String.valueOf(thrown.get()));
            assertEquals(RunCancelledException.Reason.CANCELLED, ((RunCancelledException) thrown.get()).reason());
            assertEquals(before, s.snapshot());
            s.cancel(); // no call in flight: no effect on the next one
            assertEquals(2, s.feed(new int[] {1, 2}).length);
        }
    }

    @Test
    void helpersRefuseBeamsLengthsAndHorizonsAboveTheLimits() {
        RuntimeOptions options = limits(RunLimits.builder().optMaxBeamWidth(4).optMaxNewTokens(50).optMaxHorizon(10));
        NetworkSpec lm = RandomModels.tokenSpec(CellKind.LSTM, 1, 4, 5);
        try (RecurrentModel model = model(lm, options)) {
            TextGenerator g = new TextGenerator(model);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> g.generate("ab", GenerationConfig.builder().optBeamSearch(100_000).optMaxNewTokens(3).build()));
            assertTrue(e.getMessage().contains("beamWidth: 100000") && e.getMessage().contains("maxBeamWidth"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> g.generate("ab", GenerationConfig.greedy(51)));
            assertTrue(e.getMessage().contains("maxNewTokens"), e.getMessage());
            assertEquals(4, g.generate("ab", GenerationConfig.builder().optBeamSearch(4).optMaxNewTokens(3).build())
                    .generatedTokens() + 1);
        }
        NetworkSpec fc = RandomModels.featureSpec(CellKind.GRU, 1, 4, 1, 1);
        ModelMetadata huge = ModelMetadata.builder().setTask(Task.FORECASTER).optFeatureNames(List.of("x"))
                .optTargetNames(List.of("x")).optForecast(Map.of("horizon", Integer.MAX_VALUE)).build();
        byte[] bytes = OnnxExporter.builder().build().toBytes(fc, RandomModels.weights(fc, 1), huge);
        try (RecurrentModel model = RecurrentModel.fromBytes(bytes, options)) {
            Forecaster f = new Forecaster(model);
            double[] history = {1, 2, 3};
            double[][] rows = {{1}, {2}, {3}};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.forecast(rows));
            assertTrue(e.getMessage().contains("horizon: 2147483647") && e.getMessage().contains("maxHorizon"),
                    e.getMessage());
            assertEquals(10, f.forecast(history, 10).horizon());
            assertThrows(IllegalArgumentException.class, () -> f.forecast(history, 11));
            try (var stream = f.openStream()) {
                stream.push(1.0);
                assertThrows(IllegalArgumentException.class, () -> stream.forecast(11));
            }
        }
    }

    /** A relu RNN whose weights multiply a large input past the float range. */
    static byte[] overflowing() {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.RNN_RELU).setHiddenSize(2).setFeatureInput(1)
                .setOutputSize(1).build();
        NetworkWeights w = NetworkWeights.builder(spec)
                .setLayer(0, 0, new LayerWeights(new float[] {1e30f, 1e30f}, new float[4], new float[2],
                        new float[2]))
                .setHead(new float[] {1, 1}, new float[1]).build();
        ModelMetadata meta = ModelMetadata.builder().setTask(Task.FORECASTER).optFeatureNames(List.of("x"))
                .optTargetNames(List.of("x")).build();
        return OnnxExporter.builder().build().toBytes(spec, w, meta);
    }

    @Test
    void nonFiniteOutputsAreRefusedAndLeaveTheSessionAsItWas() {
        byte[] bytes = overflowing();
        try (RecurrentModel model = RecurrentModel.fromBytes(bytes); StepSession s = model.newSession()) {
            s.step(new float[] {1e-20f});
            SessionState before = s.snapshot();
            NonFiniteOutputException e = assertThrows(NonFiniteOutputException.class,
                    () -> s.step(new float[] {1e30f}));
            assertEquals(1, e.position());
            assertTrue(e.getMessage().contains("Infinity"), e.getMessage());
            assertEquals(before, s.snapshot());
            assertThrows(NonFiniteOutputException.class,
                    () -> s.feed(new float[][] {{0.5f}, {1e30f}, {0.5f}}));
            assertEquals(before, s.snapshot());
            assertThrows(NonFiniteOutputException.class, () -> model.forward(new float[][][] {{{1e30f}}}));
        }
        RuntimeOptions allow = limits(RunLimits.builder().optRejectNonFinite(false));
        try (RecurrentModel model = RecurrentModel.fromBytes(bytes, allow); StepSession s = model.newSession()) {
            assertEquals(Float.POSITIVE_INFINITY, s.step(new float[] {1e30f})[0]);
        }
    }
}
