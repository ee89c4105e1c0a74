package io.stepwise.runtime.classify;

import io.stepwise.runtime.Logits;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Label probabilities for one sequence.
 *
 * @param text    the classified text
 * @param ranking every label with its probability, most likely first (ties: lower label index first); the
 *                probabilities sum to 1
 */
public record Classification(String text, List<LabelProbability> ranking) {

    /**
     * @param label       the label's name
     * @param index       its position in the model's output
     * @param probability softmax probability
     */
    public record LabelProbability(String label, int index, double probability) {
    }

    /** Copies the ranking; refuses an empty one. */
    public Classification {
        Objects.requireNonNull(text, "text");
        ranking = List.copyOf(ranking);
        if (ranking.isEmpty()) {
            throw new IllegalArgumentException("ranking: expected at least one label");
        }
    }

    /** Builds the ranking from a softmax over {@code labels} (index = output position). */
    static Classification of(String text, List<String> labels, double[] probabilities) {
        List<LabelProbability> ranking = new ArrayList<>(labels.size());
        for (int i : Logits.rankDescending(probabilities)) {
            ranking.add(new LabelProbability(labels.get(i), i, probabilities[i]));
        }
        return new Classification(text, ranking);
    }

    /** The most likely label with its probability. */
    public LabelProbability top() {
        return ranking.get(0);
    }

    /** The most likely label's name. */
    public String label() {
        return ranking.get(0).label();
    }

    /** The most likely label's probability. */
    public double confidence() {
        return ranking.get(0).probability();
    }

    /** The {@code k} most likely labels (all of them when k exceeds their number). */
    public List<LabelProbability> topK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k: expected ≥ 1 but got " + k);
        }
        return ranking.subList(0, Math.min(k, ranking.size()));
    }

    /** The probability of {@code label}. */
    public double probability(String label) {
        for (LabelProbability p : ranking) {
            if (p.label().equals(label)) {
                return p.probability();
            }
        }
        List<String> known = ranking.stream().map(LabelProbability::label).toList();
        throw new IllegalArgumentException("label: no label '" + label + "'; the labels are " + known);
    }
}
