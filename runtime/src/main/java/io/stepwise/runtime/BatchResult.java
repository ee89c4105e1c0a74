package io.stepwise.runtime;

import java.util.Arrays;
import java.util.Objects;

/**
 * The result of {@link RecurrentModel#forward}: the head's output and the final state, flat and row-major. Arrays
 * are copied on the way in and out; equality compares their contents.
 *
 * @param output      {@code [batch, sequence, O]} for a per-step head, {@code [batch, O]} for a final-state head
 * @param outputShape the shape of {@code output}, batch first
 * @param hn          final hidden state {@code [L·D, batch, H]}, rows ordered layer-major, direction-minor
 * @param cn          final cell state (LSTM), same shape, or {@code null} when the cell has none
 * @param stateShape  {@code [L·D, batch, H]}
 */
public record BatchResult(float[] output, long[] outputShape, float[] hn, float[] cn, long[] stateShape) {

    /** Copies every array, so the result cannot change behind the caller's back. */
    public BatchResult {
        output = Objects.requireNonNull(output, "output").clone();
        outputShape = Objects.requireNonNull(outputShape, "outputShape").clone();
        hn = Objects.requireNonNull(hn, "hn").clone();
        cn = cn == null ? null : cn.clone();
        stateShape = Objects.requireNonNull(stateShape, "stateShape").clone();
    }

    /** A copy of the head's output, flat. */
    @Override
    public float[] output() {
        return output.clone();
    }

    /** A copy of the output's shape. */
    @Override
    public long[] outputShape() {
        return outputShape.clone();
    }

    /** A copy of the final hidden state, flat. */
    @Override
    public float[] hn() {
        return hn.clone();
    }

    /** A copy of the final cell state (LSTM), or {@code null} when the model has none. */
    @Override
    public float[] cn() {
        return cn == null ? null : cn.clone();
    }

    /** A copy of the state shape. */
    @Override
    public long[] stateShape() {
        return stateShape.clone();
    }

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
    public boolean equals(Object o) {
        return o instanceof BatchResult r && Arrays.equals(output, r.output) && Arrays.equals(outputShape, r.outputShape)
                && Arrays.equals(hn, r.hn) && Arrays.equals(cn, r.cn) && Arrays.equals(stateShape, r.stateShape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(output), Arrays.hashCode(outputShape), Arrays.hashCode(hn),
                Arrays.hashCode(cn), Arrays.hashCode(stateShape));
    }

    @Override
    public String toString() {
        return "BatchResult[output " + Arrays.toString(outputShape) + ", state " + Arrays.toString(stateShape)
                + (cn == null ? "" : " (h and c)") + "]";
    }
}
