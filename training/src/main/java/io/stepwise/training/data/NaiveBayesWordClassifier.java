package io.stepwise.training.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Multinomial naive Bayes over character n-grams, the baseline for word → language.
 *
 * <p>Features of a word: all its character n-grams for n = 1..maxN (default 3) after adding a start mark
 * U+0002 and an end mark U+0003, so prefixes and suffixes count as their own features. Per class c:
 * {@code log P(c) + Σ_f count(f in word) · log P(f | c)}, with add-one (Laplace) smoothing
 * {@code P(f | c) = (count(f, c) + 1) / (Σ_f' count(f', c) + |F|)}, F = the n-grams seen in training.
 * N-grams never seen in training are ignored at prediction time (they carry no class information).
 * Ties go to the lower label index.
 */
public final class NaiveBayesWordClassifier {
    /** Default longest n-gram. */
    public static final int DEFAULT_MAX_N = 3;

    private final int labelCount;
    private final int maxN;
    private final double[] logPrior;
    private final Map<String, double[]> logLikelihood;

    private NaiveBayesWordClassifier(int labelCount, int maxN, double[] logPrior,
                                     Map<String, double[]> logLikelihood) {
        this.labelCount = labelCount;
        this.maxN = maxN;
        this.logPrior = logPrior;
        this.logLikelihood = logLikelihood;
    }

    /**
     * Trains on words with labels in [0, labelCount).
     *
     * @param maxN ≥ 1
     */
    public static NaiveBayesWordClassifier train(String[] words, int[] labels, int labelCount, int maxN) {
        if (words.length != labels.length || words.length == 0) {
            throw new IllegalArgumentException("words/labels: expected equal non-zero lengths but got "
                    + words.length + "/" + labels.length);
        }
        if (labelCount < 2) {
            throw new IllegalArgumentException("labelCount: expected ≥ 2 but got " + labelCount);
        }
        if (maxN < 1) {
            throw new IllegalArgumentException("maxN: expected ≥ 1 but got " + maxN);
        }
        int[] classCount = new int[labelCount];
        long[] featureTotal = new long[labelCount];
        Map<String, int[]> counts = new HashMap<>();
        for (int i = 0; i < words.length; i++) {
            int label = labels[i];
            if (label < 0 || label >= labelCount) {
                throw new IllegalArgumentException("labels[" + i + "]: expected 0.." + (labelCount - 1)
                        + " but got " + label);
            }
            classCount[label]++;
            for (String f : features(words[i], maxN)) {
                counts.computeIfAbsent(f, k -> new int[labelCount])[label]++;
                featureTotal[label]++;
            }
        }
        double[] logPrior = new double[labelCount];
        for (int c = 0; c < labelCount; c++) {
            // A class absent from training can never win, rather than breaking the arithmetic with log 0.
            logPrior[c] = classCount[c] == 0 ? Double.NEGATIVE_INFINITY
                    : Math.log((double) classCount[c] / words.length);
        }
        int vocabulary = counts.size();
        Map<String, double[]> logLikelihood = new HashMap<>(counts.size() * 2);
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            double[] ll = new double[labelCount];
            for (int c = 0; c < labelCount; c++) {
                ll[c] = Math.log((e.getValue()[c] + 1.0) / (featureTotal[c] + vocabulary));
            }
            logLikelihood.put(e.getKey(), ll);
        }
        return new NaiveBayesWordClassifier(labelCount, maxN, logPrior, logLikelihood);
    }

    /** Trains on the training split of a dataset with n-grams up to {@link #DEFAULT_MAX_N}. */
    public static NaiveBayesWordClassifier train(WordLanguageDataset dataset) {
        WordLanguageDataset.Examples train = dataset.train();
        return train(train.words(), train.labels(), dataset.labels().size(), DEFAULT_MAX_N);
    }

    /** Unnormalised log posterior per class. */
    public double[] logScores(String word) {
        double[] scores = logPrior.clone();
        for (String f : features(word, maxN)) {
            double[] ll = logLikelihood.get(f);
            if (ll != null) {
                for (int c = 0; c < labelCount; c++) {
                    scores[c] += ll[c];
                }
            }
        }
        return scores;
    }

    /** The most probable label index. */
    public int predict(String word) {
        double[] scores = logScores(word);
        int best = 0;
        for (int c = 1; c < scores.length; c++) {
            if (scores[c] > scores[best]) {
                best = c;
            }
        }
        return best;
    }

    public int[] predict(String[] words) {
        int[] out = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            out[i] = predict(words[i]);
        }
        return out;
    }

    /** Distinct n-gram features seen in training. */
    public int featureCount() {
        return logLikelihood.size();
    }

    static List<String> features(String word, int maxN) {
        int[] cps = ("\u0002" + word + "\u0003").codePoints().toArray();
        List<String> out = new ArrayList<>();
        for (int n = 1; n <= maxN; n++) {
            for (int i = 0; i + n <= cps.length; i++) {
                if (n == 1 && (i == 0 || i == cps.length - 1)) {
                    continue; // the marks alone say nothing about the language
                }
                out.add(new String(cps, i, n));
            }
        }
        return out;
    }
}
