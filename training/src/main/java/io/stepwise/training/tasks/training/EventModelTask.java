package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.TokenUnit;
import io.stepwise.training.data.EventSequences;
import io.stepwise.training.data.Plots;
import io.stepwise.training.tasks.protocol.EvaluationProtocol;
import io.stepwise.training.tasks.protocol.EventModelProtocol;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.TaskContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Next-event language model over sequences of named events, one sequence per line ({@link EventSequences}):
 * clickstreams, logs, sequences of ids. The model predicts the next event (or the end of the sequence) at every
 * step, so the runtime's step API serves it as it serves a character model; the event names are its vocabulary
 * ({@code stepwise.vocabulary}, {@code stepwise.token_unit = event}), which the runtime's
 * {@code io.stepwise.runtime.text.EventVocabulary} maps to and from ids.
 *
 * <p>Training reads the training sequences as one stream ({@link TokenStreamTask}); the protocol is
 * {@link EventModelProtocol}: bits per event over held-out sequences, against a Kneser–Ney
 * {@value EventModelProtocol#BASELINE_ORDER}-gram baseline over event ids.
 */
public final class EventModelTask extends TokenStreamTask {
    private final TrainingOptions options;
    private final EventSequences sequences;
    private final EventModelProtocol.Protocol protocol;

    /** Loads the sequences named by the options and prepares the task. */
    public EventModelTask(TrainingOptions options) {
        this(options, EventModelProtocol.Protocol.of(requireData(options)));
    }

    private EventModelTask(TrainingOptions options, EventModelProtocol.Protocol protocol) {
        this(options, protocol, EventModelProtocol.sequences(options.data(), protocol));
    }

    private EventModelTask(TrainingOptions options, EventModelProtocol.Protocol protocol, EventSequences sequences) {
        super(options, sequences.trainIds(), sequences.validationIds(), sequences.vocabulary().size(),
                sequences.source(), "events");
        this.options = options;
        this.protocol = protocol;
        this.sequences = sequences;
    }

    private static Path requireData(TrainingOptions options) {
        if (options.data() == null) {
            throw new InvalidSettingException(Setting.DATA, "required for an event model: a file of event sequences,"
                    + " one per line");
        }
        return options.data();
    }

    public EventSequences sequences() {
        return sequences;
    }

    @Override
    int evalStreams() {
        return protocol.streams();
    }

    @Override
    int evalBptt() {
        return protocol.bptt();
    }

    @Override
    int baselineOrder() {
        return EventModelProtocol.BASELINE_ORDER;
    }

    @Override
    public String monitor() {
        return EventModelProtocol.VAL_BITS;
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(EventModelProtocol.VAL_BITS, validationBits(context.manager(), context.parameterStore()));
    }

    @Override
    public Map<String, Double> finalMetrics(NDManager manager) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(EventModelProtocol.VAL_BITS, validationBits(manager, new ParameterStore(manager, false)));
        m.put(EventModelProtocol.BASELINE_BITS, baselineBits());
        return m;
    }

    @Override
    public void describeModel(ModelMetadata.Builder metadata) {
        metadata.optVocabulary(sequences.vocabulary()).optUnknownToken(EventSequences.UNKNOWN_ID)
                .optTokenUnit(TokenUnit.EVENT);
        metadata.optProperty(EvaluationProtocol.KEY, EvaluationProtocol.toJson(protocol.toMap()));
    }

    @Override
    public Map<String, Object> describeData() {
        return sequences.describe();
    }

    @Override
    public void writePlots(Path runDirectory, List<EpochRecord> history) {
        double[] train = history.stream().mapToDouble(r -> toBits(r.trainLoss())).toArray();
        Plots.lossCurves(runDirectory.resolve("loss.png"), "Next-event model (" + options.cell().id() + ")",
                "bits per event", train, series(history, EventModelProtocol.VAL_BITS));
    }
}
