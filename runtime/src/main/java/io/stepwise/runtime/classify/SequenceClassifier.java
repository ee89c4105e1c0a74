package io.stepwise.runtime.classify;

import io.stepwise.runtime.BatchResult;
import io.stepwise.runtime.Logits;
import io.stepwise.runtime.ModelFormat.Task;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.text.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Classifies character sequences with a classifier model ({@code stepwise.task = classifier}, head
 * {@code final_state}): e.g. a word → its language.
 *
 * <p>The text is encoded one code point per token ({@link CharTokenizer}: unknown characters become the model's
 * unknown token, or are refused when it has none), run through the whole network from the zero state in one
 * {@link RecurrentModel#forward(long[][])} call — bidirectional classifiers read the sequence both ways, so they
 * cannot be stepped — and the label logits go through a numerically stable softmax ({@link Logits#softmax}).
 * {@link #classifyAll(List)} batches texts of equal length into one forward call each.
 *
 * <p>Stateless apart from the model, so one classifier may serve several threads; it does not own the model.
 */
public final class SequenceClassifier {
    /** Most sequences per forward call; bounds the memory of one batch. */
    static final int MAX_BATCH = 256;

    /** Runs a batch of equal-length token sequences from the zero state; returns [batch][labels] logits. */
    @FunctionalInterface
    interface BatchScorer {
        float[][] logits(long[][] tokens);
    }

    private final CharTokenizer tokenizer;
    private final List<String> labels;
    private final BatchScorer scorer;

    /**
     * A classifier over {@code model}, which it runs with {@link RecurrentModel#forward(long[][])}.
     *
     * @throws IllegalArgumentException when the model is not a token-input final-state model with a vocabulary
     *                                  and one label per output
     */
    public SequenceClassifier(RecurrentModel model) {
        Objects.requireNonNull(model, "model");
        ModelInfo info = model.info();
        if (info.task() != Task.CLASSIFIER && info.task() != Task.UNKNOWN) {
            throw new IllegalArgumentException("model: SequenceClassifier needs task " + Task.CLASSIFIER
                    + " but the model's task is " + info.task());
        }
        if (!info.isTokenInput() || info.isPerStep()) {
            throw new IllegalArgumentException("model: SequenceClassifier needs token input and a final_state head"
                    + " but the model has " + info.inputKind() + " input and a " + info.head() + " head");
        }
        this.tokenizer = CharTokenizer.forModel(info);
        this.labels = labels(info.labels(), info.outputSize());
        this.scorer = tokens -> {
            BatchResult result = model.forward(tokens);
            float[][] logits = new float[tokens.length][];
            for (int b = 0; b < tokens.length; b++) {
                logits[b] = result.outputAt(b);
            }
            return logits;
        };
    }

    /** For tests: classification against any scorer. */
    SequenceClassifier(CharTokenizer tokenizer, List<String> labels, BatchScorer scorer) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.labels = List.copyOf(labels);
        this.scorer = Objects.requireNonNull(scorer, "scorer");
    }

    /** The labels, index = output position (from metadata, or {@code class0, class1, …}). */
    public List<String> labels() {
        return labels;
    }

    /**
     * Label probabilities of {@code text}.
     *
     * @throws IllegalArgumentException for empty text, or a character outside the vocabulary when the model has
     *                                  no unknown token
     */
    public Classification classify(String text) {
        return classifyAll(List.of(Objects.requireNonNull(text, "text"))).get(0);
    }

    /**
     * Label probabilities of every text, in input order. Texts of equal length share forward calls (at most
     * {@value #MAX_BATCH} per call).
     *
     * @throws IllegalArgumentException naming the index of an empty or null text, or a character outside the
     *                                  vocabulary
     */
    public List<Classification> classifyAll(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        long[][] encoded = new long[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("texts: entry " + i + " is " + (text == null ? "null" : "empty")
                        + "; expected at least one character");
            }
            int[] ids;
            try {
                ids = tokenizer.encode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(texts.size() == 1 ? e.getMessage()
                        : "texts: entry " + i + ": " + e.getMessage(), e);
            }
            encoded[i] = Arrays.stream(ids).asLongStream().toArray();
            byLength.computeIfAbsent(ids.length, k -> new ArrayList<>()).add(i);
        }
        Classification[] out = new Classification[texts.size()];
        for (List<Integer> group : byLength.values()) {
            for (int from = 0; from < group.size(); from += MAX_BATCH) {
                List<Integer> chunk = group.subList(from, Math.min(group.size(), from + MAX_BATCH));
                long[][] batch = new long[chunk.size()][];
                for (int b = 0; b < batch.length; b++) {
                    batch[b] = encoded[chunk.get(b)];
                }
                float[][] logits = scorer.logits(batch);
                if (logits.length != batch.length) {
                    throw new IllegalStateException("model output: expected " + batch.length + " rows but got "
                            + logits.length);
                }
                for (int b = 0; b < batch.length; b++) {
                    if (logits[b].length != labels.size()) {
                        throw new IllegalStateException("model output: expected " + labels.size()
                                + " logits (one per label) but got " + logits[b].length);
                    }
                    int index = chunk.get(b);
                    out[index] = Classification.of(texts.get(index), labels, Logits.softmax(logits[b]));
                }
            }
        }
        return List.of(out);
    }

    private static List<String> labels(List<String> labels, int outputs) {
        if (labels.size() == outputs) {
            return List.copyOf(labels);
        }
        if (!labels.isEmpty()) {
            throw new IllegalArgumentException("model: stepwise.labels has " + labels.size()
                    + " labels but the model has " + outputs + " outputs");
        }
        List<String> generated = new ArrayList<>(outputs);
        for (int i = 0; i < outputs; i++) {
            generated.add("class" + i);
        }
        return generated;
    }
}
