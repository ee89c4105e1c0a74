package io.stepwise.training.tasks.protocol;

import io.stepwise.training.data.EventSequences;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a next-event language model is measured: its sequences, split and metric.
 *
 * <p>The data is a file of event sequences, one per line ({@link EventSequences}). Whole sequences are split with
 * the fixed seed {@value #SPLIT_SEED}: {@value #VALIDATION_FRACTION} of them held out. The primary metric
 * {@value #VAL_BITS} is the bits per event over the held-out sequences, read as one stream (each sequence followed by
 * the end mark, which is predicted too) in {@value #EVAL_STREAMS} contiguous streams from a zero state with the state
 * carried across windows of {@value #EVAL_BPTT} events. The baseline is an interpolated Kneser–Ney
 * {@value #BASELINE_ORDER}-gram model over event ids fitted on the training sequences and scored on the same stream.
 */
public final class EventModelProtocol {
    /** Seed of the split of sequences. */
    public static final long SPLIT_SEED = 42;
    /** Share of the sequences held out. */
    public static final double VALIDATION_FRACTION = 0.1;
    /** Fewest training occurrences for an event to get its own id. */
    public static final int MIN_COUNT = 2;
    /** Parallel streams of the measurement. */
    public static final int EVAL_STREAMS = 4;
    /** Events per window of the measurement. */
    public static final int EVAL_BPTT = 100;
    /** Order of the n-gram baseline. */
    public static final int BASELINE_ORDER = 3;
    /** Primary metric: validation bits per event. */
    public static final String VAL_BITS = "val_bits_per_event";
    /** The baseline's bits per event on the same stream. */
    public static final String BASELINE_BITS = "baseline_kn" + BASELINE_ORDER + "_bits_per_event";

    private EventModelProtocol() {
    }

    /**
     * The protocol as recorded in a model.
     *
     * @param data               the sequences file
     * @param splitSeed          seed of the split
     * @param validationFraction share of the sequences held out
     * @param minCount           fewest training occurrences for an event to get its own id
     * @param streams            parallel streams of the measurement
     * @param bptt               events per window of the measurement
     */
    public record Protocol(String data, long splitSeed, double validationFraction, int minCount, int streams,
                           int bptt) {
        /** The default protocol for {@code file}. */
        public static Protocol of(Path file) {
            return new Protocol(file.toString(), SPLIT_SEED, VALIDATION_FRACTION, MIN_COUNT, EVAL_STREAMS, EVAL_BPTT);
        }

        /** Reads the protocol recorded in a model. */
        public static Protocol from(Map<String, Object> protocol) {
            return new Protocol(EvaluationProtocol.string(protocol, "data"),
                    EvaluationProtocol.whole(protocol, "split_seed"),
                    EvaluationProtocol.number(protocol, "validation_fraction"),
                    EvaluationProtocol.integer(protocol, "min_count"),
                    EvaluationProtocol.integer(protocol, "streams"), EvaluationProtocol.integer(protocol, "bptt"));
        }

        /** The JSON object recorded in the model, with a description of the metric. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data", data);
            m.put("split_seed", splitSeed);
            m.put("validation_fraction", validationFraction);
            m.put("min_count", minCount);
            m.put("streams", streams);
            m.put("bptt", bptt);
            m.put("metric", "bits per event over the held-out sequences (" + Math.round(validationFraction * 100)
                    + " % of them, seed " + splitSeed + "), end marks included, " + streams + " contiguous streams "
                    + "from a zero state, state carried across windows of " + bptt);
            return m;
        }
    }

    /**
     * The sequences of {@code file} split as {@code protocol} says.
     *
     * @throws InvalidSettingException naming {@link Setting#DATA} when the held-out stream is too short to measure
     */
    public static EventSequences sequences(Path file, Protocol protocol) {
        EventSequences s = EventSequences.read(file, protocol.splitSeed(), protocol.validationFraction(),
                protocol.minCount());
        int length = s.validationIds().length;
        if (length < protocol.streams() + 1) {
            throw new InvalidSettingException(Setting.DATA, file + " leaves only " + length + " held-out events; "
                    + "expected at least " + (protocol.streams() + 1));
        }
        return s;
    }
}
