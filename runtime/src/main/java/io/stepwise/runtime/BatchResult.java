package io.stepwise.runtime;

import java.util.Arrays;

/**
 * The result of {@link RecurrentModel#forward}: the head's output and the final state, flat and row-major.
 *
 * @param output      {@code [batch, sequence, O]} for a per-step head, {@code [batch, O]} for a final-state head
 * @param outputShape the shape of {@code output}, batch first
 * @param hn          final hidden state {@code [L·D, batch, H]}, rows ordered layer-major, direction-minor
 * @param cn          final cell state (LSTM), same shape, or {@code null} when the cell has none
 * @param stateShape  {@code [L·D, batch, H]}
 */
public record BatchResult(float[] output, long[] outputShape, float[] hn, float[] cn, long[] stateShape) {

    /** The output row of sequence {@code batchIndex} at {@code step} (per-step heads), a fresh array of O values. */
    public float[] outputAt(int batchIndex, int step) {
        if (outputShape.length != 3) {
            throw new IllegalStateException("outputAt(batch, step): the model has a final-state head; use outputAt(batch)");
        }
        checkIndex(batchIndex, outputShape[0], "batchIndex");
        checkIndex(step, outputShape[1], "step");
        int width = (int) outputShape[2];
        int from = (int) ((batchIndex * outputShape[1] + step) * width);
        return Arrays.copyOfRange(output, from, from + width);
    }

    /** The output row of sequence {@code batchIndex} (final-state heads), a fresh array of O values. */
    public float[] outputAt(int batchIndex) {
        if (outputShape.length != 2) {
            throw new IllegalStateException("outputAt(batch): the model has a per-step head; use outputAt(batch, step)");
        }
        checkIndex(batchIndex, outputShape[0], "batchIndex");
        int width = (int) outputShape[1];
        return Arrays.copyOfRange(output, batchIndex * width, (batchIndex + 1) * width);
    }

    private static void checkIndex(int index, long size, String name) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException(name + ": expected 0.." + (size - 1) + " but got " + index);
        }
    }

    @Override
    public String toString() {
        return "BatchResult[output " + Arrays.toString(outputShape) + ", state " + Arrays.toString(stateShape)
                + (cn == null ? "" : " (h and c)") + "]";
    }
}
