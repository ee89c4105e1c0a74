package io.stepwise.flink;

import io.stepwise.runtime.BatchResult;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;

/**
 * Every sequence of a bundle in one ONNX Runtime call: the states are gathered into the model's {@code [L·D, batch,
 * H]} initial state, each sequence gets a length-1 input row, and the final state is scattered back into one
 * {@link SessionState} per sequence.
 */
final class BundledStepper implements Stepper {
    private final RecurrentModel model;
    private final ModelInfo info;
    private final int rows;
    private final int hidden;

    BundledStepper(RecurrentModel model) {
        this.model = model;
        this.info = model.info();
        this.rows = info.stateRows();
        this.hidden = info.hiddenSize();
    }

    @Override
    public SessionState initialState() {
        float[] zeros = new float[rows * hidden];
        return info.hasCellState() ? SessionState.of(info, 0, zeros, zeros) : SessionState.of(info, 0, zeros);
    }

    @Override
    public Stepped step(SessionState[] states, int[] tokens, int n) {
        long[][] input = new long[n][1];
        for (int i = 0; i < n; i++) {
            input[i][0] = tokens[i];
        }
        return scatter(states, n, model.forward(input, gather(states, n, false), gather(states, n, true)));
    }

    @Override
    public Stepped step(SessionState[] states, float[][] features, int n) {
        float[][][] input = new float[n][1][];
        for (int i = 0; i < n; i++) {
            input[i][0] = features[i];
        }
        return scatter(states, n, model.forward(input, gather(states, n, false), gather(states, n, true)));
    }

    /** h (or c) of every sequence, laid out {@code [rows, n, H]}. */
    private float[] gather(SessionState[] states, int n, boolean cell) {
        if (cell && !info.hasCellState()) {
            return null;
        }
        float[] flat = new float[rows * n * hidden];
        for (int b = 0; b < n; b++) {
            float[] s = cell ? states[b].cell().orElseThrow() : states[b].hidden();
            for (int r = 0; r < rows; r++) {
                System.arraycopy(s, r * hidden, flat, (r * n + b) * hidden, hidden);
            }
        }
        return flat;
    }

    private Stepped scatter(SessionState[] states, int n, BatchResult result) {
        float[] hn = result.hn();
        float[] cn = result.cn();
        boolean perStep = result.outputShape().length == 3;
        float[][] outputs = new float[n][];
        SessionState[] next = new SessionState[n];
        for (int b = 0; b < n; b++) {
            outputs[b] = perStep ? result.outputAt(b, 0) : result.outputAt(b);
            float[] h = new float[rows * hidden];
            float[] c = cn == null ? null : new float[rows * hidden];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(hn, (r * n + b) * hidden, h, r * hidden, hidden);
                if (c != null) {
                    System.arraycopy(cn, (r * n + b) * hidden, c, r * hidden, hidden);
                }
            }
            long position = states[b].position() + 1;
            next[b] = c == null ? SessionState.of(info, position, h) : SessionState.of(info, position, h, c);
        }
        return new Stepped(outputs, next);
    }

    @Override
    public void close() {
        // The model belongs to the operator, which closes it.
    }
}
