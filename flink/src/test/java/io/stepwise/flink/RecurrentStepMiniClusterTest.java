package io.stepwise.flink;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whole jobs on Flink's mini cluster (4 slots): exactly-once state through a failure, savepoints across rescaling,
 * the refusal of a state written for another model, and a job whose model file cannot be loaded. Each key's
 * outputs are compared with a single-threaded {@link io.stepwise.runtime.StepSession} run of that key's events
 * ({@link Reference}).
 */
class RecurrentStepMiniClusterTest {
    private static final int KEYS = 80;
    private static final long SEED = 13;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4)
                    .build());

    private static RecurrentStepOptions options(Path model) {
        return RecurrentStepOptions.builder().setModel(model).setMode(OutputMode.ANOMALY_SCORE)
                .optBundleSize(64).optBundleTimeout(Duration.ofMillis(20)).optWarmup(3).optErrorWindow(10).build();
    }

    // ------------------------------------------------------------------ failure

    /** Fails the job once, mid-stream, after a checkpoint has completed. */
    static final class FailOnce implements MapFunction<StepEvent, StepEvent>, CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static volatile boolean checkpointed;
        private final long after;
        private long seen;

        FailOnce(long after) {
            this.after = after;
        }

        @Override
        public StepEvent map(StepEvent e) {
            if (++seen > after && checkpointed && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after " + seen + " events");
            }
            return e;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (seen > 0) {
                checkpointed = true;
            }
        }
    }

    @Test
    void withParallelism4AndAFailureEveryKeysOutputsEqualOneStepSessionRun() throws Exception {
        int steps = 30;
        long total = (long) KEYS * steps;
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(4);
        env.enableCheckpointing(100);
        FailOnce.FAILED.set(false);
        FailOnce.checkpointed = false;
        // One source keeps each key's events in order; it is rate-limited so checkpoints complete mid-stream.
        DataStream<StepEvent> events = env.fromSource(new DataGeneratorSource<>(i -> Reference.event(i, KEYS, SEED),
                        total, RateLimiterStrategy.perSecond(2_000), TypeInformation.of(StepEvent.class)),
                WatermarkStrategy.noWatermarks(), "series").setParallelism(1)
                .map(new FailOnce(total / 2)).setParallelism(1);
        CollectingSink<StepOutput> sink = new CollectingSink<>("failure");
        RecurrentStep.apply(events.keyBy(StepEvent::key), options(Reference.CO2_LSTM)).sinkTo(sink);
        env.execute("failure");

        assertTrue(FailOnce.FAILED.get(), "the failure was injected");
        Map<String, List<StepOutput>> expected = Reference.run(Reference.CO2_LSTM, OutputMode.ANOMALY_SCORE,
                Reference.series(KEYS, steps, SEED), 10, 3);
        // Outputs replayed after the restart arrive twice; every copy must equal the reference at its position, and
        // every position must be there: nothing lost, nothing stepped twice in state.
        Map<String, Map<Long, List<StepOutput>>> got = new TreeMap<>();
        for (StepOutput o : sink.values()) {
            got.computeIfAbsent(o.key(), k -> new TreeMap<>()).computeIfAbsent(o.position(), p -> new ArrayList<>())
                    .add(o);
        }
        assertEquals(expected.keySet(), got.keySet());
        for (Map.Entry<String, List<StepOutput>> key : expected.entrySet()) {
            Map<Long, List<StepOutput>> positions = got.get(key.getKey());
            assertEquals(steps, positions.size(), key.getKey() + " positions " + positions.keySet());
            for (StepOutput want : key.getValue()) {
                for (StepOutput copy : positions.get(want.position())) {
                    Reference.assertClose(want, copy, 1e-5);
                }
            }
        }
    }

    // ------------------------------------------------------------------ savepoints

    /** Runs rounds [from, to) of the series, waits for all their outputs and stops with a savepoint. */
    private static String phase(String name, Path model, int parallelism, String restoreFrom, Path savepoints,
                                int from, int to, CollectingSink<StepOutput> sink) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (restoreFrom != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, restoreFrom);
            conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.setMaxParallelism(128);
        long first = (long) from * KEYS;
        long last = (long) to * KEYS;
        // The source runs on after its rounds (empty keys, dropped) so the job is still running for the savepoint.
        DataStream<StepEvent> events = env.fromSource(new DataGeneratorSource<>(
                                i -> first + i < last ? Reference.event(first + i, KEYS, SEED)
                                        : StepEvent.observation("", 0, 0.0),
                                Long.MAX_VALUE, RateLimiterStrategy.perSecond(4_000),
                                TypeInformation.of(StepEvent.class)),
                        WatermarkStrategy.noWatermarks(), "series " + name).uid("source-" + name).setParallelism(1)
                .filter(e -> !e.key().isEmpty()).uid("filter-" + name).setParallelism(1);
        RecurrentStep.apply(events.keyBy(StepEvent::key), options(model)).sinkTo(sink).uid("sink-" + name);
        int before = sink.values().size();
        JobClient job = env.executeAsync(name);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sink.values().size() < before + (last - first)) {
            if (job.getJobStatus().get().isTerminalState()) {
                job.getJobExecutionResult().get(); // throws the job's failure
                fail(name + ": the job ended early");
            }
            if (System.nanoTime() > deadline) {
                fail(name + ": only " + (sink.values().size() - before) + " of " + (last - first) + " outputs");
            }
            Thread.sleep(20);
        }
        return job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
    }

    private static void assertExactlyTheReference(CollectingSink<StepOutput> sink, int steps) {
        Map<String, List<StepOutput>> expected = Reference.run(Reference.CO2_LSTM, OutputMode.ANOMALY_SCORE,
                Reference.series(KEYS, steps, SEED), 10, 3);
        Map<String, List<StepOutput>> got = sink.values().stream().collect(Collectors.groupingBy(StepOutput::key));
        assertEquals(expected.keySet(), got.keySet());
        for (String key : expected.keySet()) {
            List<StepOutput> want = expected.get(key);
            List<StepOutput> actual = got.get(key);
            assertEquals(want.size(), actual.size(), key);
            for (int i = 0; i < want.size(); i++) {
                Reference.assertClose(want.get(i), actual.get(i), 1e-5);
            }
        }
    }

    @Test
    void aSavepointAtParallelism2RestoresAt4AndAt1AndEveryKeyContinuesExactly(@TempDir Path dir) throws Exception {
        CollectingSink<StepOutput> sink = new CollectingSink<>("rescale");
        String at2 = phase("p2", Reference.CO2_LSTM, 2, null, dir, 0, 8, sink);
        String at4 = phase("p4", Reference.CO2_LSTM, 4, at2, dir, 8, 16, sink);
        phase("p1", Reference.CO2_LSTM, 1, at4, dir, 16, 24, sink);
        assertExactlyTheReference(sink, 24);
    }

    @Test
    void aStateRestoresOnlyIntoAModelWithTheSameFingerprint(@TempDir Path dir) throws Exception {
        CollectingSink<StepOutput> sink = new CollectingSink<>("upgrade");
        String savepoint = phase("lstm", Reference.CO2_LSTM, 2, null, dir, 0, 6, sink);

        // Another model file (a GRU, another fingerprint): refused at restore, naming both models.
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> phase("gru", Reference.CO2_GRU, 2, savepoint, dir, 6, 12, new CollectingSink<>("gru")));
        String messages = causes(refused);
        assertTrue(messages.contains("Stepwise key state of model " + fingerprint(Reference.CO2_GRU)), messages);
        assertTrue(messages.contains("Stepwise key state of model " + fingerprint(Reference.CO2_LSTM)), messages);

        // The same model under another path (a redeployed file): the fingerprint matches and the keys continue.
        Path copy = Files.copy(Reference.CO2_LSTM, dir.resolve("co2-lstm-redeployed.onnx"));
        phase("lstm-copy", copy, 2, savepoint, dir, 6, 12, sink);
        assertExactlyTheReference(sink, 12);
    }

    // ------------------------------------------------------------------ a model that cannot be loaded

    @Test
    void aModelFileThatCannotBeLoadedFailsTheJobAtStartWithTheRuntimesMessage(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.onnx"), "not an ONNX model");
        String runtimeMessage;
        try (var m = io.stepwise.runtime.RecurrentModel.load(broken)) {
            throw new AssertionError("loaded " + m);
        } catch (io.stepwise.runtime.StepwiseException e) {
            runtimeMessage = e.getMessage();
        }
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        CollectingSink<StepOutput> sink = new CollectingSink<>("broken");
        DataStream<StepEvent> events = env.fromData(StepEvent.observation("a", 1, 400.0),
                StepEvent.observation("b", 1, 401.0));
        RecurrentStep.apply(events.keyBy(StepEvent::key), options(broken)).sinkTo(sink);
        Exception failed = assertThrows(Exception.class, () -> env.execute("broken model"));
        String messages = causes(failed);
        assertTrue(messages.contains(runtimeMessage), messages);
        assertTrue(sink.values().isEmpty(), "no output from a job whose model did not load");
    }

    private static String fingerprint(Path model) {
        try (var m = io.stepwise.runtime.RecurrentModel.load(model)) {
            return m.info().fingerprint();
        }
    }

    private static String causes(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }
}
