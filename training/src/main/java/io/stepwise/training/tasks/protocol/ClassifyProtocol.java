package io.stepwise.training.tasks.protocol;

import io.stepwise.training.data.ConfusionMatrix;
import io.stepwise.training.data.FeatureSequenceDataset;
import io.stepwise.training.data.WordLanguageDataset;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a word → language classifier is measured: its word lists, split and metrics.
 *
 * <p>The data is a folder of word lists, one {@code <language>.txt} per label (default {@code data/words}), or a
 * CSV file of {@code text,label} rows, read by {@link WordLanguageDataset}; or a CSV of recordings of numeric feature
 * vectors (a {@code sequence} column, a {@code label} column, feature columns), read by
 * {@link FeatureSequenceDataset}. The split is stratified 80/10/10 with the fixed seed {@value #SPLIT_SEED}
 * (independent of the training seed, so every model is tested on the same words). The primary metric is the
 * accuracy on the held-out test words ({@value #TEST_ACCURACY}), with the macro F1; the baseline is a
 * multinomial naive Bayes classifier over character 1–3-grams trained on the same training words.
 */
public final class ClassifyProtocol {
    /** Seed of the train/validation/test split. */
    public static final long SPLIT_SEED = 42;
    /** Share of each label's words held out for validation. */
    public static final double VALIDATION_FRACTION = 0.1;
    /** Share of each label's words held out for the test. */
    public static final double TEST_FRACTION = 0.1;
    /** Primary metric: accuracy on the held-out test words. */
    public static final String TEST_ACCURACY = "test_accuracy";
    public static final String TEST_MACRO_F1 = "test_macro_f1";
    public static final String BASELINE_ACCURACY = "baseline_naive_bayes_accuracy";
    public static final String BASELINE_MACRO_F1 = "baseline_naive_bayes_macro_f1";
    /** Default data folder, relative to the Stepwise folder. */
    public static final Path DEFAULT_DATA = Path.of("data", "words");

    private ClassifyProtocol() {
    }

    /**
     * The protocol as recorded in a model.
     *
     * @param data               the folder of word lists
     * @param splitSeed          seed of the split
     * @param validationFraction share of each label's words held out for validation
     * @param testFraction       share of each label's words held out for the test
     */
    public record Protocol(String data, long splitSeed, double validationFraction, double testFraction) {
        /** The protocol of a model trained on the word lists in {@code data}. */
        public static Protocol of(Path data) {
            return new Protocol(data.toString(), SPLIT_SEED, VALIDATION_FRACTION, TEST_FRACTION);
        }

        /** Reads the protocol recorded in a model. */
        public static Protocol from(Map<String, Object> protocol) {
            return new Protocol(EvaluationProtocol.string(protocol, "data"),
                    EvaluationProtocol.whole(protocol, "split_seed"),
                    EvaluationProtocol.number(protocol, "validation_fraction"),
                    EvaluationProtocol.number(protocol, "test_fraction"));
        }

        /** The JSON object recorded in the model, with a description of the metric. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("data", data);
            m.put("split_seed", splitSeed);
            m.put("validation_fraction", validationFraction);
            m.put("test_fraction", testFraction);
            m.put("metric", "accuracy on the held-out test words (stratified " + percent(1 - validationFraction
                    - testFraction) + "/" + percent(validationFraction) + "/" + percent(testFraction)
                    + " split, seed " + splitSeed + ")");
            return m;
        }

        private static long percent(double fraction) {
            return Math.round(fraction * 100);
        }
    }

    /** The word lists in {@code folder}, split with the default protocol. */
    public static WordLanguageDataset dataset(Path folder) {
        return dataset(folder, SPLIT_SEED, VALIDATION_FRACTION, TEST_FRACTION);
    }

    /** The word lists in {@code folder}, split as a recorded protocol says. */
    public static WordLanguageDataset dataset(Path folder, Protocol protocol) {
        return dataset(folder, protocol.splitSeed(), protocol.validationFraction(), protocol.testFraction());
    }

    /**
     * @throws InvalidSettingException naming {@link Setting#DATA} when the folder holds fewer than two labels or
     *                                 too few words for every part of the split
     */
    private static WordLanguageDataset dataset(Path folder, long seed, double validationFraction,
                                               double testFraction) {
        WordLanguageDataset dataset = WordLanguageDataset.builder().setFolder(folder).optSeed(seed)
                .optFractions(validationFraction, testFraction).build();
        if (dataset.labels().size() < 2) {
            throw new InvalidSettingException(Setting.DATA, folder + " holds " + dataset.labels().size()
                    + " label(s); expected at least two (<label>.txt files or CSV labels)");
        }
        if (dataset.train().size() == 0 || dataset.validation().size() == 0 || dataset.test().size() == 0) {
            throw new InvalidSettingException(Setting.DATA, folder + " has too few words for a train/validation/"
                    + "test split (" + dataset.train().size() + "/" + dataset.validation().size() + "/"
                    + dataset.test().size() + ")");
        }
        return dataset;
    }

    /** Whether {@code data} is a CSV of feature-vector recordings (its header names a {@code sequence} column). */
    public static boolean isFeatureSequences(Path data) {
        return data != null && java.nio.file.Files.isRegularFile(data)
                && FeatureSequenceDataset.hasSequenceColumn(data);
    }

    /**
     * The recordings of a feature-sequence CSV, split as {@code protocol} says.
     *
     * @throws InvalidSettingException naming {@link Setting#DATA} when a part of the split is empty
     */
    public static FeatureSequenceDataset featureDataset(Path file, Protocol protocol) {
        FeatureSequenceDataset d = FeatureSequenceDataset.read(file, protocol.splitSeed(),
                protocol.validationFraction(), protocol.testFraction());
        for (FeatureSequenceDataset.Split split : FeatureSequenceDataset.Split.values()) {
            if (d.split(split).size() == 0) {
                throw new InvalidSettingException(Setting.DATA, file + " has too few recordings for a train/"
                        + "validation/test split (" + d.describe() + ")");
            }
        }
        return d;
    }

    /** Accuracy and macro F1 of the test predictions in {@code confusion}, by metric name. */
    public static Map<String, Double> testMetrics(ConfusionMatrix confusion) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(TEST_ACCURACY, confusion.accuracy());
        m.put(TEST_MACRO_F1, confusion.macroF1());
        return m;
    }
}
