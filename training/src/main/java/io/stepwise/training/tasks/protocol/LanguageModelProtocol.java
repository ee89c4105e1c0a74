package io.stepwise.training.tasks.protocol;

import io.stepwise.training.data.CharCorpus;
import io.stepwise.training.data.EuroparlText;
import io.stepwise.training.data.KneserNeyModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a character language model is measured: its text and split, and the metric.
 *
 * <p>The text is a UTF-8 file or, by default, the English Europarl sample ({@link EuroparlText}), split by
 * {@link CharCorpus} into a training part and a held-out tail. The primary metric {@value #VAL_BPC} is the bits
 * per character over that tail: the tail is cut into {@value #EVAL_STREAMS} contiguous streams, each read from a
 * zero state in windows of {@value #EVAL_BPTT} characters with the state carried, every character predicted from
 * all characters before it in its stream; bpc = mean cross-entropy / ln 2. Training measures it with the DJL
 * network, evaluation through the runtime. The baseline is an interpolated Kneser–Ney
 * {@value #BASELINE_ORDER}-gram model fitted on the training part and scored on the same tail.
 */
public final class LanguageModelProtocol {
    /** Parallel streams of the validation pass. */
    public static final int EVAL_STREAMS = 8;
    /** Characters per validation window. */
    public static final int EVAL_BPTT = 250;
    /** Order of the n-gram baseline. */
    public static final int BASELINE_ORDER = KneserNeyModel.DEFAULT_ORDER;
    /** Primary metric: validation bits per character. */
    public static final String VAL_BPC = "val_bpc";
    /** The baseline's bits per character on the same split. */
    public static final String BASELINE_BPC = "baseline_kn" + BASELINE_ORDER + "_bpc";
    /** The protocol's name for the default text. */
    public static final String EUROPARL = "europarl-en";

    private LanguageModelProtocol() {
    }

    /**
     * The protocol as recorded in a model.
     *
     * @param data               the text file, or {@value #EUROPARL}
     * @param maxChars           characters of the Europarl sample used (train + validation)
     * @param validationFraction share of the text held out as its tail
     * @param minCount           fewest training occurrences for a character to get its own id
     * @param streams            parallel streams of the measurement
     * @param bptt               characters per window of the measurement
     */
    public record Protocol(String data, int maxChars, double validationFraction, int minCount, int streams,
                           int bptt) {
        /** The protocol of a model trained on {@code corpus} (from {@code file}, null for Europarl). */
        public static Protocol of(Path file, int maxChars, CharCorpus corpus) {
            return new Protocol(file == null ? EUROPARL : file.toString(), maxChars, corpus.validationFraction(),
                    corpus.minCount(), EVAL_STREAMS, EVAL_BPTT);
        }

        /** Reads the protocol recorded in a model. */
        public static Protocol from(Map<String, Object> protocol) {
            return new Protocol(EvaluationProtocol.string(protocol, "data"),
                    EvaluationProtocol.integer(protocol, "max_chars"),
                    EvaluationProtocol.number(protocol, "validation_fraction"),
                    EvaluationProtocol.integer(protocol, "min_count"),
                    EvaluationProtocol.integer(protocol, "streams"), EvaluationProtocol.integer(protocol, "bptt"));
        }

        /** Whether the text is the Europarl sample rather than a file. */
        public boolean isEuroparl() {
            return EUROPARL.equals(data);
        }

        /** The JSON object recorded in the model, with a description of the metric. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data", data);
            m.put("max_chars", maxChars);
            m.put("validation_fraction", validationFraction);
            m.put("min_count", minCount);
            m.put("streams", streams);
            m.put("bptt", bptt);
            m.put("metric", "bits per character over the validation tail, " + streams + " contiguous streams from "
                    + "a zero state, state carried across windows of " + bptt);
            return m;
        }
    }

    /**
     * The corpus of a text file, or of the first {@code maxChars} English Europarl characters when {@code file} is
     * null, split and encoded with the default held-out share and character threshold.
     */
    public static CharCorpus corpus(Path file, int maxChars) {
        return corpus(file, maxChars, CharCorpus.Builder.DEFAULT_VALIDATION_FRACTION,
                CharCorpus.Builder.DEFAULT_MIN_COUNT);
    }

    /** The corpus a recorded protocol names; {@code file} replaces its data when not null. */
    public static CharCorpus corpus(Protocol protocol, Path file) {
        return corpus(file, protocol.maxChars(), protocol.validationFraction(), protocol.minCount());
    }

    private static CharCorpus corpus(Path file, int maxChars, double validationFraction, int minCount) {
        CharCorpus.Builder builder = CharCorpus.builder().optValidationFraction(validationFraction)
                .optMinCount(minCount);
        if (file == null) {
            builder.setEuroparlEnglish(maxChars);
        } else {
            builder.setFile(file);
        }
        return builder.build();
    }

    /**
     * Checks that the held-out tail can be measured: at least one character per stream after the first.
     *
     * @throws InvalidSettingException naming {@link Setting#DATA}
     */
    public static void requireValidationStreams(CharCorpus corpus) {
        int length = corpus.validationIds().length;
        if (length < EVAL_STREAMS + 1) {
            throw new InvalidSettingException(Setting.DATA, corpus.sourceName() + " leaves only " + length
                    + " validation characters; expected at least " + (EVAL_STREAMS + 1));
        }
    }
}
