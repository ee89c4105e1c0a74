package io.stepwise.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

import java.util.Objects;

/**
 * Runs a Stepwise recurrent model over a keyed stream: each key is one sequence, its state kept in Flink's keyed
 * state (checkpointed exactly once, redistributed on rescaling), and each event yields a {@link StepOutput}.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<StepOutput> scores = RecurrentStep.apply(
 *         events.keyBy(StepEvent::key),
 *         RecurrentStepOptions.builder().setModel(Path.of("co2-lstm.onnx")).setMode(OutputMode.ANOMALY_SCORE).build());
 * DataStream<RejectedEvent> rejected = scores.getSideOutput(RecurrentStep.REJECTED);
 * }</pre>
 *
 * <p>The model is loaded once per parallel task when it opens and closed when it closes; a model that cannot be
 * loaded, or that does not fit the chosen {@link OutputMode}, fails the job at start with the runtime's message.
 * The operator's uid is {@link #UID} unless another is set: keep it stable, savepoints find the state by it.
 *
 * <p>Metrics (operator scope): counters {@code stepwiseEventsStepped}, {@code stepwiseEventsRejected} and
 * {@code stepwiseModelCalls}.
 */
public final class RecurrentStep {
    /** Events that were not stepped, with the reason. */
    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("stepwise-rejected", TypeInformation.of(RejectedEvent.class));
    /** Accumulator: events stepped (with {@link RecurrentStepOptions.Builder#optStatistics}). */
    public static final String EVENTS = "stepwise.events";
    /** Accumulator: ONNX Runtime calls. */
    public static final String MODEL_CALLS = "stepwise.model-calls";
    /** Accumulator: thread CPU nanoseconds spent in flushes. */
    public static final String STEP_CPU_NANOS = "stepwise.step-cpu-ns";
    /** Accumulator (minimum): wall-clock milliseconds when the first event arrived. */
    public static final String FIRST_EVENT_MILLIS = "stepwise.first-event-ms";
    /** Accumulator (maximum): wall-clock milliseconds when the last flush ended. */
    public static final String LAST_OUTPUT_MILLIS = "stepwise.last-output-ms";
    /** The default uid of the operator. */
    public static final String UID = "stepwise-recurrent-step";

    private RecurrentStep() {
    }

    /** Steps every event of {@code events} with uid {@link #UID}. */
    public static SingleOutputStreamOperator<StepOutput> apply(KeyedStream<StepEvent, ?> events,
                                                               RecurrentStepOptions options) {
        return apply(events, options, UID);
    }

    /** Steps every event of {@code events}; {@code uid} identifies the operator's state in savepoints. */
    public static SingleOutputStreamOperator<StepOutput> apply(KeyedStream<StepEvent, ?> events,
                                                               RecurrentStepOptions options, String uid) {
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(uid, "uid");
        return events.transform("Stepwise " + options.mode().name().toLowerCase(java.util.Locale.ROOT)
                                + " (" + options.modelName() + ")", TypeInformation.of(StepOutput.class),
                        new RecurrentStepOperator(options))
                .uid(uid);
    }
}
