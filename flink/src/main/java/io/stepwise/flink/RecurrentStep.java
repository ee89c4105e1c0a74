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
 */
public final class RecurrentStep {
    /** Events that were not stepped, with the reason. */
    public static final OutputTag<RejectedEvent> REJECTED =
            new OutputTag<>("stepwise-rejected", TypeInformation.of(RejectedEvent.class));
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
