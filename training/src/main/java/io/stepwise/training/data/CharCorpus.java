package io.stepwise.training.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A character corpus for language models: the text as one stream of token ids, split into a training part
 * and a validation part.
 *
 * <p>The split is contiguous: the first {@code 1 − validationFraction} of the code points are training, the
 * last {@code validationFraction} are validation, so validation text is never interleaved with training text
 * and the model is scored on a continuation it has not seen. The {@link CharVocabulary} is built from the
 * training part only (characters seen at least {@code minCount} times); the validation part is encoded
 * with it, so characters absent from training become the unknown id (their count is reported).
 *
 * <pre>{@code
 * CharCorpus corpus = CharCorpus.builder().setEuroparlEnglish(EuroparlText.DEFAULT_MAX_CHARS).build();
 * int[] train = corpus.trainIds();          // feed to BpttBatches
 * List<String> vocab = corpus.vocabulary().tokens();
 * }</pre>
 */
public final class CharCorpus {
    private final String sourceName;
    private final CharVocabulary vocabulary;
    private final int[] trainIds;
    private final int[] validationIds;
    private final double validationFraction;
    private final int minCount;

    private CharCorpus(String sourceName, CharVocabulary vocabulary, int[] trainIds, int[] validationIds,
                       double validationFraction, int minCount) {
        this.sourceName = sourceName;
        this.vocabulary = vocabulary;
        this.trainIds = trainIds;
        this.validationIds = validationIds;
        this.validationFraction = validationFraction;
        this.minCount = minCount;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where the text came from (file path, "europarl-en" or the name given with the text). */
    public String sourceName() {
        return sourceName;
    }

    public CharVocabulary vocabulary() {
        return vocabulary;
    }

    /** Training token ids (a copy). */
    public int[] trainIds() {
        return trainIds.clone();
    }

    /** Validation token ids (a copy); they continue the training stream. */
    public int[] validationIds() {
        return validationIds.clone();
    }

    public int trainLength() {
        return trainIds.length;
    }

    public int validationLength() {
        return validationIds.length;
    }

    public double validationFraction() {
        return validationFraction;
    }

    public int minCount() {
        return minCount;
    }

    /** Validation characters that are not in the (training) vocabulary. */
    public int validationUnknownCount() {
        return CharVocabulary.countUnknown(validationIds);
    }

    /** Training characters that were rarer than minCount. */
    public int trainUnknownCount() {
        return CharVocabulary.countUnknown(trainIds);
    }

    /** A provenance summary for model metadata ({@code stepwise.training}). */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", sourceName);
        m.put("train_chars", trainIds.length);
        m.put("validation_chars", validationIds.length);
        m.put("validation_fraction", validationFraction);
        m.put("vocabulary_size", vocabulary.size());
        m.put("min_count", minCount);
        return m;
    }

    @Override
    public String toString() {
        return "CharCorpus[" + sourceName + ", train=" + trainIds.length + ", validation=" + validationIds.length
                + ", vocabulary=" + vocabulary.size() + "]";
    }

    /**
     * Builds a {@link CharCorpus}. Exactly one source is required: {@link #setText}, {@link #setFile} or
     * {@link #setEuroparlEnglish}.
     */
    public static final class Builder {
        /** Default share of the text used for validation. */
        public static final double DEFAULT_VALIDATION_FRACTION = 0.1;
        /** Default minimum count for a character to get its own id. */
        public static final int DEFAULT_MIN_COUNT = 3;
        /** Default minimum corpus size, in code points. */
        public static final int DEFAULT_MIN_LENGTH = 1000;

        private String text;
        private String sourceName;
        private Path file;
        private Integer europarlMaxChars;
        private double validationFraction = DEFAULT_VALIDATION_FRACTION;
        private int minCount = DEFAULT_MIN_COUNT;
        private int minLength = DEFAULT_MIN_LENGTH;
        private boolean normaliseWhitespace;

        private Builder() {
        }

        /** Uses the given text; {@code sourceName} appears in errors and provenance. */
        public Builder setText(String text, String sourceName) {
            this.text = Objects.requireNonNull(text, "text");
            this.sourceName = Objects.requireNonNull(sourceName, "sourceName");
            return this;
        }

        /** Reads a UTF-8 file (strict decoding: malformed bytes are an error naming the byte offset). */
        public Builder setFile(Path file) {
            this.file = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Uses {@link EuroparlText#english(int)}: the English Europarl documents, at most maxChars. */
        public Builder setEuroparlEnglish(int maxChars) {
            if (maxChars < 1) {
                throw new IllegalArgumentException("maxChars: expected ≥ 1 but got " + maxChars);
            }
            this.europarlMaxChars = maxChars;
            return this;
        }

        /** Share of the text (its tail) kept for validation, in (0, 0.5]; default 0.1. */
        public Builder optValidationFraction(double fraction) {
            this.validationFraction = fraction;
            return this;
        }

        /** Characters seen fewer times than this in training map to the unknown id; default 3. */
        public Builder optMinCount(int minCount) {
            this.minCount = minCount;
            return this;
        }

        /** Smallest acceptable corpus, in code points; default 1000. */
        public Builder optMinLength(int minLength) {
            this.minLength = minLength;
            return this;
        }

        /**
         * For file and text sources: within each line, collapses whitespace runs to one space and trims the
         * ends ({@link EuroparlText#normaliseWhitespace}); drops empty lines. Default off. (Europarl text is
         * always normalised.)
         */
        public Builder optNormaliseWhitespace(boolean normalise) {
            this.normaliseWhitespace = normalise;
            return this;
        }

        public CharCorpus build() {
            int sources = (text != null ? 1 : 0) + (file != null ? 1 : 0) + (europarlMaxChars != null ? 1 : 0);
            if (sources != 1) {
                throw new IllegalStateException("CharCorpus: expected exactly one source (setText, setFile or "
                        + "setEuroparlEnglish) but got " + sources);
            }
            if (!(validationFraction > 0 && validationFraction <= 0.5)) {
                throw new IllegalArgumentException("validationFraction: expected a value in (0, 0.5] but got "
                        + validationFraction);
            }
            if (minCount < 1) {
                throw new IllegalArgumentException("minCount: expected ≥ 1 but got " + minCount);
            }
            if (minLength < 2) {
                throw new IllegalArgumentException("minLength: expected ≥ 2 but got " + minLength);
            }
            String content;
            String name;
            if (file != null) {
                content = TextFiles.readUtf8Strict(file);
                name = file.toString();
            } else if (text != null) {
                content = text;
                name = sourceName;
            } else {
                content = EuroparlText.english(europarlMaxChars).text();
                name = "europarl-en";
            }
            if (normaliseWhitespace && europarlMaxChars == null) {
                StringBuilder sb = new StringBuilder(content.length());
                for (String line : TextFiles.lines(content)) {
                    String l = EuroparlText.normaliseWhitespace(line);
                    if (!l.isEmpty()) {
                        if (sb.length() > 0) {
                            sb.append('\n');
                        }
                        sb.append(l);
                    }
                }
                content = sb.toString();
            }
            int[] cps = content.codePoints().toArray();
            if (cps.length < minLength) {
                throw new IllegalArgumentException("corpus " + name + ": " + cps.length
                        + " characters found, expected at least " + minLength + " (optMinLength)");
            }
            int validation = (int) Math.round(cps.length * validationFraction);
            if (validation < 2 || cps.length - validation < 2) {
                throw new IllegalArgumentException("corpus " + name + ": " + cps.length + " characters with "
                        + "validationFraction " + validationFraction + " leave " + validation
                        + " validation characters, expected at least 2 in each split");
            }
            int split = cps.length - validation;
            String trainText = new String(cps, 0, split);
            CharVocabulary vocabulary = CharVocabulary.fromText(trainText, minCount);
            int[] train = new int[split];
            for (int i = 0; i < split; i++) {
                train[i] = vocabulary.idOf(cps[i]);
            }
            int[] valid = new int[validation];
            for (int i = 0; i < validation; i++) {
                valid[i] = vocabulary.idOf(cps[split + i]);
            }
            return new CharCorpus(name, vocabulary, train, valid, validationFraction, minCount);
        }
    }
}
