package io.stepwise.flink;

import io.stepwise.runtime.StepwiseException;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The operator alone, under Flink's keyed operator test harness: bundling, flushing, refusals, state. */
class RecurrentStepOperatorTest {

    private static RecurrentStepOptions.Builder options(Path model, OutputMode mode) {
        return RecurrentStepOptions.builder().setModel(model).setMode(mode).optBundleTimeout(Duration.ofMillis(100))
                .optWarmup(3).optErrorWindow(10);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, StepEvent, StepOutput> harness(
            RecurrentStepOptions options) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new RecurrentStepOperator(options), StepEvent::key,
                Types.STRING);
    }

    private static void push(KeyedOneInputStreamOperatorTestHarness<String, StepEvent, StepOutput> h,
                             List<StepEvent> events) throws Exception {
        for (StepEvent e : events) {
            h.processElement(e, e.timestamp());
        }
    }

    private static List<RejectedEvent> rejected(KeyedOneInputStreamOperatorTestHarness<String, StepEvent, StepOutput> h) {
        return h.getSideOutput(RecurrentStep.REJECTED) == null ? List.of()
                : h.getSideOutput(RecurrentStep.REJECTED).stream().map(StreamRecord::getValue).toList();
    }

    private static void assertMatches(Map<String, List<StepOutput>> expected, List<StepOutput> actual) {
        Map<String, List<StepOutput>> byKey = actual.stream().collect(Collectors.groupingBy(StepOutput::key));
        assertEquals(expected.keySet(), byKey.keySet());
        for (String key : expected.keySet()) {
            List<StepOutput> want = expected.get(key);
            List<StepOutput> got = byKey.get(key);
            assertEquals(want.size(), got.size(), key);
            for (int i = 0; i < want.size(); i++) {
                Reference.assertClose(want.get(i), got.get(i), 1e-5);
            }
        }
    }

    @Test
    void bundledAndPerEventSteppingBothEqualOneStepSessionPerKey() throws Exception {
        // 5 keys × 12 steps, a bundle of 16: each flush holds several events of the same key (several rounds).
        List<StepEvent> events = Reference.series(5, 12, 1);
        Map<String, List<StepOutput>> expected = Reference.run(Reference.CO2_LSTM, OutputMode.ANOMALY_SCORE, events,
                10, 3);
        for (Stepping stepping : Stepping.values()) {
            try (var h = harness(options(Reference.CO2_LSTM, OutputMode.ANOMALY_SCORE).optBundleSize(16)
                    .optStepping(stepping).build())) {
                h.open();
                push(h, events);
                h.endInput();
                assertMatches(expected, h.extractOutputValues());
                assertTrue(h.extractOutputValues().stream().anyMatch(StepOutput::hasScore), stepping.name());
                assertEquals(List.of(), rejected(h));
            }
        }
    }

    @Test
    void aBundleWaitsForItsSizeOrItsTimeout() throws Exception {
        List<StepEvent> events = Reference.series(4, 2, 2);
        try (var h = harness(options(Reference.CO2_GRU, OutputMode.FORECAST).optBundleSize(4).build())) {
            h.open();
            h.setProcessingTime(0);
            push(h, events.subList(0, 3));
            assertEquals(0, h.extractOutputValues().size(), "three events wait for the fourth");
            push(h, events.subList(3, 4));
            assertEquals(4, h.extractOutputValues().size(), "a full bundle is stepped at once");
            h.setProcessingTime(10);
            push(h, events.subList(4, 5));
            h.setProcessingTime(60);
            assertEquals(4, h.extractOutputValues().size(), "not yet due");
            h.setProcessingTime(110);
            assertEquals(5, h.extractOutputValues().size(), "due 100 ms after the event arrived");
        }
    }

    @Test
    void aCheckpointAndAWatermarkEachFlushTheBundleFirst() throws Exception {
        List<StepEvent> events = Reference.series(3, 1, 3);
        try (var h = harness(options(Reference.CO2_GRU, OutputMode.FORECAST).build())) {
            h.open();
            push(h, events.subList(0, 2));
            h.prepareSnapshotPreBarrier(1);
            assertEquals(2, h.extractOutputValues().size(), "stepped before the barrier");
            OperatorSubtaskState snapshot = h.snapshot(1, 1);
            assertTrue(snapshot.getManagedKeyedState().size() > 0);
            push(h, events.subList(2, 3));
            h.processWatermark(5_000);
            List<Object> out = new ArrayList<>(h.getOutput());
            assertInstanceOf(Watermark.class, out.get(out.size() - 1), "the watermark follows the outputs");
            assertEquals(3, h.extractOutputValues().size());
        }
    }

    @Test
    void badRecordsGoToTheSideOutputAndLeaveTheKeysStateAlone() throws Exception {
        List<StepEvent> good = Reference.series(2, 6, 4);
        List<StepEvent> mixed = new ArrayList<>();
        for (StepEvent e : good) {
            mixed.add(e);
            if (e.key().equals("sensor-0")) {
                mixed.add(StepEvent.observation("sensor-0", e.timestamp() + 1, Double.NaN));
                mixed.add(StepEvent.observation("sensor-0", e.timestamp() + 2, 1.0, 2.0));
                mixed.add(StepEvent.token("sensor-0", e.timestamp() + 3, 7));
                mixed.add(StepEvent.observation("sensor-0", e.timestamp() - 1, 400.0)); // older than e: out of order
            }
        }
        try (var h = harness(options(Reference.CO2_RNN, OutputMode.ANOMALY_SCORE).optBundleSize(5).build())) {
            h.open();
            push(h, mixed);
            h.endInput();
            assertMatches(Reference.run(Reference.CO2_RNN, OutputMode.ANOMALY_SCORE, good, 10, 3),
                    h.extractOutputValues());
            Map<RejectReason, Long> reasons = rejected(h).stream()
                    .collect(Collectors.groupingBy(RejectedEvent::reason, Collectors.counting()));
            assertEquals(Map.of(RejectReason.NOT_FINITE, 6L, RejectReason.WRONG_WIDTH, 6L,
                    RejectReason.WRONG_INPUT_KIND, 6L, RejectReason.OUT_OF_ORDER, 6L), reasons);
            RejectedEvent nan = rejected(h).stream().filter(r -> r.reason() == RejectReason.NOT_FINITE).findFirst()
                    .orElseThrow();
            assertEquals("values[0] (co2_ppm): expected a finite number but got NaN", nan.message());
        }
    }

    @Test
    void outOfOrderAndLateEventsFollowThePolicy() throws Exception {
        StepEvent first = StepEvent.observation("a", 100, 350.0);
        StepEvent older = StepEvent.observation("a", 50, 351.0);
        StepEvent behindWatermark = StepEvent.observation("b", 10, 352.0);
        for (TimePolicy policy : TimePolicy.values()) {
            try (var h = harness(options(Reference.CO2_GRU, OutputMode.FORECAST).optTimePolicy(policy).build())) {
                h.open();
                h.processWatermark(20);
                push(h, List.of(first, older, behindWatermark));
                h.endInput();
                List<RejectReason> reasons = rejected(h).stream().map(RejectedEvent::reason).toList();
                switch (policy) {
                    case ARRIVAL_ORDER -> assertEquals(List.of(), reasons);
                    case REJECT_OUT_OF_ORDER -> assertEquals(List.of(RejectReason.OUT_OF_ORDER), reasons);
                    case REJECT_LATE -> assertEquals(List.of(RejectReason.LATE, RejectReason.OUT_OF_ORDER), reasons);
                }
                assertEquals(3 - reasons.size(), h.extractOutputValues().size(), policy.name());
            }
        }
    }

    @Test
    void aRestoredSnapshotContinuesEachKeyExactly() throws Exception {
        List<StepEvent> events = Reference.series(6, 10, 5);
        Map<String, List<StepOutput>> expected = Reference.run(Reference.CO2_LSTM, OutputMode.ANOMALY_SCORE,
                events, 10, 3);
        RecurrentStepOptions opts = options(Reference.CO2_LSTM, OutputMode.ANOMALY_SCORE).optBundleSize(7).build();
        List<StepOutput> outputs = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(opts)) {
            h.open();
            push(h, events.subList(0, 31));
            h.prepareSnapshotPreBarrier(1);
            snapshot = h.snapshot(1, 1);
            outputs.addAll(h.extractOutputValues());
        }
        try (var h = harness(opts)) {
            h.initializeState(snapshot);
            h.open();
            push(h, events.subList(31, events.size()));
            h.endInput();
            outputs.addAll(h.extractOutputValues());
        }
        assertMatches(expected, outputs);
    }

    @Test
    void tokenModelsEmitNextTokenProbabilities() throws Exception {
        List<StepEvent> events = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            events.add(StepEvent.token("doc-" + (t % 3), t, (t * 7) % 20));
        }
        events.add(StepEvent.token("doc-0", 99, 1_000_000));
        try (var h = harness(options(Reference.CHARLM_GRU, OutputMode.NEXT_TOKEN_PROBABILITIES).build())) {
            h.open();
            push(h, events);
            h.endInput();
            assertMatches(Reference.run(Reference.CHARLM_GRU, OutputMode.NEXT_TOKEN_PROBABILITIES,
                    events.subList(0, 8), 10, 3), h.extractOutputValues());
            for (StepOutput o : h.extractOutputValues()) {
                assertEquals(1.0, java.util.Arrays.stream(o.values()).sum(), 1e-9);
            }
            assertEquals(RejectReason.TOKEN_OUT_OF_RANGE, rejected(h).get(0).reason());
        }
    }

    @Test
    void aModelThatCannotBeLoadedOrDoesNotFitTheModeFailsAtOpen() throws Exception {
        try (var h = harness(options(Path.of("../models/no-such-model.onnx"), OutputMode.FORECAST).build())) {
            StepwiseException e = assertThrows(StepwiseException.class, h::open);
            assertTrue(e.getMessage().contains("no-such-model.onnx"), e.getMessage());
        }
        try (var h = harness(options(Reference.CHARLM_GRU, OutputMode.FORECAST).build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, h::open);
            assertTrue(e.getMessage().contains("use NEXT_TOKEN_PROBABILITIES"), e.getMessage());
        }
    }
}
