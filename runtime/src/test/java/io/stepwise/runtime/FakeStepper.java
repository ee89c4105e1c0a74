package io.stepwise.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A model stand-in for the task-helper tests: its state is the full list of inputs consumed so far, and its output
 * is any function of that history. Because the output may depend on the whole history, a search that restores
 * the wrong state gets visibly wrong outputs.
 */
final class FakeStepper implements Stepper {
    private final Function<List<Object>, float[]> output;
    private List<Object> history = new ArrayList<>();
    int steps;
    int closes;

    FakeStepper(Function<List<Object>, float[]> output) {
        this.output = output;
    }

    /** A token model whose logits depend only on the last token: {@code table[last]}. */
    static FakeStepper bigram(float[][] table) {
        return new FakeStepper(h -> table[(Integer) h.get(h.size() - 1)].clone());
    }

    @Override
    public float[] step(int token) {
        steps++;
        history.add(token);
        return output.apply(List.copyOf(history));
    }

    @Override
    public float[] step(float[] features) {
        steps++;
        history.add(features.clone());
        return output.apply(List.copyOf(history));
    }

    @Override
    public Object snapshot() {
        return List.copyOf(history);
    }

    @SuppressWarnings("unchecked")
    @Override
    public void restore(Object state) {
        history = new ArrayList<>((List<Object>) state);
    }

    List<Object> history() {
        return List.copyOf(history);
    }

    @Override
    public void close() {
        closes++;
    }
}
