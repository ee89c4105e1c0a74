package io.stepwise.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A model stand-in for the task-helper tests: its state is the full list of inputs consumed so far, and its output
 * is any function of that history. Because the output may depend on the whole history, a search that restores
 * the wrong state gets visibly wrong outputs. Snapshots are real {@link SessionState}s whose single hidden value
 * indexes the history saved with them.
 */
public final class FakeSession implements Session {
    /** The description behind the fake's snapshots: a 1 × 1 GRU (its sizes only shape the SessionStates). */
    private static final ModelInfo INFO = MetadataParser.fromStepwiseMetadata(Map.ofEntries(
            Map.entry(ModelFormat.FORMAT, "1"), Map.entry(ModelFormat.CELL, "gru"), Map.entry(ModelFormat.LAYERS, "1"),
            Map.entry(ModelFormat.HIDDEN_SIZE, "1"), Map.entry(ModelFormat.BIDIRECTIONAL, "false"),
            Map.entry(ModelFormat.INPUT_KIND, "features"), Map.entry(ModelFormat.INPUT_SIZE, "1"),
            Map.entry(ModelFormat.HEAD, "per_step"), Map.entry(ModelFormat.OUTPUT_SIZE, "1"),
            Map.entry(ModelFormat.INPUT_NAME, "features"), Map.entry(ModelFormat.OUTPUT_NAME, "output"),
            Map.entry(ModelFormat.STATE_INPUTS, "[\"h0\"]"), Map.entry(ModelFormat.STATE_OUTPUTS, "[\"hn\"]")));

    private final Function<List<Object>, float[]> output;
    private final List<List<Object>> saved = new ArrayList<>();
    private List<Object> history = new ArrayList<>();
    private int steps;
    private int closes;

    public FakeSession(Function<List<Object>, float[]> output) {
        this.output = output;
    }

    /** A token model whose logits depend only on the last token: {@code table[last]}. */
    public static FakeSession bigram(float[][] table) {
        return new FakeSession(h -> table[(Integer) h.get(h.size() - 1)].clone());
    }

    @Override
    public ModelInfo info() {
        return INFO;
    }

    @Override
    public long position() {
        return history.size();
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
    public float[][] feed(int[] tokens) {
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = step(tokens[i]);
        }
        return out;
    }

    @Override
    public float[][] feed(float[][] rows) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = step(rows[i]);
        }
        return out;
    }

    @Override
    public void reset() {
        history = new ArrayList<>();
    }

    @Override
    public SessionState snapshot() {
        saved.add(List.copyOf(history));
        return SessionState.of(INFO, history.size(), new float[] {saved.size() - 1});
    }

    @Override
    public void restore(SessionState state) {
        history = new ArrayList<>(saved.get((int) state.hidden()[0]));
    }

    /** The inputs consumed so far. */
    public List<Object> history() {
        return List.copyOf(history);
    }

    /** Inputs consumed over the fake's life (fed ones count one each). */
    public int steps() {
        return steps;
    }

    /** How often {@link #close()} was called. */
    public int closes() {
        return closes;
    }

    @Override
    public boolean isClosed() {
        return closes > 0;
    }

    @Override
    public void close() {
        closes++;
    }
}
