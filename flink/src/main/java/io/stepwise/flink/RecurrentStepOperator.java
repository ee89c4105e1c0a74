package io.stepwise.flink;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.RuntimeOptions;
import io.stepwise.runtime.SessionState;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Steps each key's recurrent sequence, its state in Flink's keyed state. Events wait in a bundle that is flushed
 * when it holds {@link RecurrentStepOptions#bundleSize()} events, when its oldest event has waited
 * {@link RecurrentStepOptions#bundleTimeout()}, before every watermark is forwarded (so outputs are never late),
 * before every checkpoint barrier (so a checkpoint holds no unstepped events and needs no buffer state) and at the
 * end of input. A flush runs in rounds: each round steps the oldest waiting event of every key in the bundle in one
 * ONNX Runtime call, so a key's events are stepped in arrival order and many keys share each call.
 *
 * <p>Checks that need no state (kind, width, finiteness, token range, lateness) happen on arrival; the order check
 * happens in the flush, against the key's last stepped event. Refused events go to {@link RecurrentStep#REJECTED}
 * and leave the key's state as it was.
 */
final class RecurrentStepOperator extends AbstractStreamOperator<StepOutput>
        implements OneInputStreamOperator<StepEvent, StepOutput>, BoundedOneInput, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    /** The keyed state's name; part of the savepoint format together with the operator's uid. */
    static final String STATE_NAME = "stepwise-key-state";

    private final RecurrentStepOptions options;

    private transient RecurrentModel model;
    private transient Stepper stepper;
    private transient EventRules rules;
    private transient ValueState<KeyState> keyState;
    private transient KeyState fresh;
    private transient String fingerprint;
    private transient List<Pending> bundle;
    private transient long bundleStart;
    private transient boolean timerPending;
    private transient long watermark;
    private transient Counter stepped;
    private transient Counter rejectedCount;
    private transient Counter modelCalls;
    private transient Statistics statistics;

    RecurrentStepOperator(RecurrentStepOptions options) {
        this.options = options;
    }

    @Override
    public void open() throws Exception {
        super.open();
        RuntimeOptions runtime = RuntimeOptions.builder().optIntraOpThreads(options.intraOpThreads()).build();
        // A model that cannot be loaded fails the task here, with the runtime's own message.
        model = options.modelPath() != null
                ? RecurrentModel.load(Path.of(options.modelPath()), runtime)
                : RecurrentModel.fromBytes(options.modelBytes(), runtime);
        ModelInfo info = model.info();
        rules = new EventRules(info, options.mode(), options.errorWindow(), options.warmup(), options.modelName());
        stepper = options.stepping() == Stepping.BUNDLED ? new BundledStepper(model) : new PerEventStepper(model);
        fingerprint = info.fingerprint();
        fresh = KeyState.fresh(stepper.initialState());
        // Registering the state checks a restored state's serializer snapshot against this model's fingerprint.
        keyState = getRuntimeContext().getState(new ValueStateDescriptor<>(STATE_NAME,
                new KeyStateSerializer(fresh.session(), options.modelName())));
        bundle = new ArrayList<>(options.bundleSize());
        watermark = Long.MIN_VALUE;
        stepped = getMetricGroup().counter("stepwiseEventsStepped");
        rejectedCount = getMetricGroup().counter("stepwiseEventsRejected");
        modelCalls = getMetricGroup().counter("stepwiseModelCalls");
        statistics = options.statistics() ? new Statistics() : null;
    }

    /** The optional job accumulators of {@link RecurrentStepOptions.Builder#optStatistics}. */
    private final class Statistics {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final LongCounter events = new LongCounter();
        final LongCounter calls = new LongCounter();
        final LongCounter cpu = new LongCounter();
        final LongMinimum first = new LongMinimum();
        final LongMaximum last = new LongMaximum();
        boolean started;

        Statistics() {
            getRuntimeContext().addAccumulator(RecurrentStep.EVENTS, events);
            getRuntimeContext().addAccumulator(RecurrentStep.MODEL_CALLS, calls);
            getRuntimeContext().addAccumulator(RecurrentStep.STEP_CPU_NANOS, cpu);
            getRuntimeContext().addAccumulator(RecurrentStep.FIRST_EVENT_MILLIS, first);
            getRuntimeContext().addAccumulator(RecurrentStep.LAST_OUTPUT_MILLIS, last);
        }
    }

    @Override
    public void processElement(StreamRecord<StepEvent> record) throws Exception {
        StepEvent event = record.getValue();
        RejectedEvent rejected = rules.check(event);
        if (rejected == null && options.timePolicy() == TimePolicy.REJECT_LATE && event.timestamp() < watermark) {
            rejected = new RejectedEvent(event, RejectReason.LATE, "timestamp: " + event.timestamp()
                    + " is behind the watermark " + watermark);
        }
        if (rejected != null) {
            reject(rejected, record.hasTimestamp(), record.getTimestamp());
            return;
        }
        if (statistics != null && !statistics.started) {
            statistics.started = true;
            statistics.first.add(System.currentTimeMillis());
        }
        bundle.add(new Pending(getCurrentKey(), event, record.hasTimestamp(), record.getTimestamp()));
        if (bundle.size() >= options.bundleSize()) {
            flush();
        } else if (bundle.size() == 1) {
            bundleStart = getProcessingTimeService().getCurrentProcessingTime();
            scheduleTimer(bundleStart + options.bundleTimeout().toMillis());
        }
    }

    private void scheduleTimer(long at) {
        if (!timerPending) {
            timerPending = true;
            getProcessingTimeService().registerTimer(at, this);
        }
    }

    @Override
    public void onProcessingTime(long time) throws Exception {
        timerPending = false;
        if (bundle.isEmpty()) {
            return;
        }
        long due = bundleStart + options.bundleTimeout().toMillis();
        if (time >= due) {
            flush();
        } else {
            scheduleTimer(due);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        flush();
        watermark = mark.getTimestamp();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (stepper != null) {
                stepper.close();
            }
            if (model != null) {
                model.close();
            }
        } finally {
            super.close();
        }
    }

    /** Steps every waiting event, in rounds of one event per key, and writes each key's state back once. */
    private void flush() throws Exception {
        if (bundle == null || bundle.isEmpty()) {
            return;
        }
        long cpuStart = statistics == null ? 0 : statistics.threads.getCurrentThreadCpuTime();
        List<Pending> events = bundle;
        bundle = new ArrayList<>(options.bundleSize());
        int calls = 0;
        int steppedNow = 0;
        Map<Object, Slot> slots = new LinkedHashMap<>();
        for (Pending p : events) {
            slots.computeIfAbsent(p.key, Slot::new).queue.add(p);
        }
        for (Slot slot : slots.values()) {
            setCurrentKey(slot.key);
            KeyState stored = keyState.value();
            slot.state = stored == null ? fresh : checked(stored, slot.key);
        }
        int keys = slots.size();
        Slot[] round = new Slot[keys];
        SessionState[] states = new SessionState[keys];
        int[] tokens = rules.tokens() ? new int[keys] : null;
        float[][] features = rules.tokens() ? null : new float[keys][];
        while (true) {
            int n = 0;
            for (Slot slot : slots.values()) {
                Pending p;
                while ((p = slot.queue.peek()) != null) {
                    RejectedEvent r = rules.checkOrder(p.event, slot.state, options.timePolicy());
                    if (r == null) {
                        break;
                    }
                    slot.queue.poll();
                    reject(r, p.hasTimestamp, p.timestamp);
                }
                if (p == null) {
                    continue;
                }
                round[n] = slot;
                states[n] = slot.state.session();
                if (tokens != null) {
                    tokens[n] = p.event.token();
                } else {
                    features[n] = rules.features(p.event);
                }
                n++;
            }
            if (n == 0) {
                break;
            }
            Stepper.Stepped result = tokens != null ? stepper.step(states, tokens, n)
                    : stepper.step(states, features, n);
            calls += options.stepping() == Stepping.BUNDLED ? 1 : n;
            steppedNow += n;
            for (int i = 0; i < n; i++) {
                Slot slot = round[i];
                Pending p = slot.queue.poll();
                EventRules.Applied applied = rules.apply(slot.state, p.event, result.outputs()[i],
                        result.states()[i]);
                slot.state = applied.state();
                slot.dirty = true;
                output.collect(p.hasTimestamp ? new StreamRecord<>(applied.output(), p.timestamp)
                        : new StreamRecord<>(applied.output()));
            }
        }
        for (Slot slot : slots.values()) {
            if (slot.dirty) {
                setCurrentKey(slot.key);
                keyState.update(slot.state);
            }
        }
        modelCalls.inc(calls);
        stepped.inc(steppedNow);
        if (statistics != null) {
            statistics.calls.add(calls);
            statistics.events.add(steppedNow);
            statistics.cpu.add(statistics.threads.getCurrentThreadCpuTime() - cpuStart);
            statistics.last.add(System.currentTimeMillis());
        }
    }

    /** A stored state of another model cannot be stepped; the serializer check normally catches it at restore. */
    private KeyState checked(KeyState stored, Object key) {
        if (!stored.session().fingerprint().equals(fingerprint)) {
            throw new IllegalStateException("key " + key + ": its stored state belongs to the model with fingerprint "
                    + stored.session().fingerprint() + ", but this job runs " + options.modelName()
                    + " (fingerprint " + fingerprint + ")");
        }
        return stored;
    }

    private void reject(RejectedEvent rejected, boolean hasTimestamp, long timestamp) {
        rejectedCount.inc();
        output.collect(RecurrentStep.REJECTED, hasTimestamp ? new StreamRecord<>(rejected, timestamp)
                : new StreamRecord<>(rejected));
    }

    /** An event waiting in the bundle, with its key and record time. */
    private record Pending(Object key, StepEvent event, boolean hasTimestamp, long timestamp) {
    }

    /** One key's events of a flush and its state while the flush runs. */
    private static final class Slot {
        final Object key;
        final ArrayDeque<Pending> queue = new ArrayDeque<>(2);
        KeyState state;
        boolean dirty;

        Slot(Object key) {
            this.key = key;
        }
    }
}
