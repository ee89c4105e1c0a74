package io.stepwise.conversion;

import java.util.Arrays;
import java.util.Objects;

/**
 * Re-lays recurrent weights from the PyTorch/DJL layout into the ONNX {@code RNN}/{@code LSTM}/{@code GRU}
 * operator layout.
 *
 * <p>Both frameworks stack one block of {@code H} rows per gate, but in a different order:
 *
 * <table>
 *   <caption>Gate block order</caption>
 *   <tr><th>cell</th><th>PyTorch / DJL</th><th>ONNX</th></tr>
 *   <tr><td>LSTM</td><td>i, f, g, o</td><td>i, o, f, c (c = PyTorch's g)</td></tr>
 *   <tr><td>GRU</td><td>r, z, n</td><td>z, r, h (h = PyTorch's n)</td></tr>
 *   <tr><td>RNN</td><td>one block</td><td>one block (unchanged)</td></tr>
 * </table>
 *
 * <p>The equations are the same on both sides once the blocks are matched (x = input, h = previous hidden state,
 * W = input weights, R = recurrent weights, b_W / b_R their biases, σ = logistic sigmoid, ⊙ = element-wise):
 * <pre>
 * LSTM  i = σ(W_i x + b_Wi + R_i h + b_Ri)     f = σ(W_f x + b_Wf + R_f h + b_Rf)
 *       g = tanh(W_g x + b_Wg + R_g h + b_Rg)  o = σ(W_o x + b_Wo + R_o h + b_Ro)
 *       c' = f ⊙ c + i ⊙ g                     h' = o ⊙ tanh(c')
 * GRU   r = σ(W_r x + b_Wr + R_r h + b_Rr)     z = σ(W_z x + b_Wz + R_z h + b_Rz)
 *       n = tanh(W_n x + b_Wn + r ⊙ (R_n h + b_Rn))
 *       h' = (1 − z) ⊙ n + z ⊙ h
 * RNN   h' = tanh or relu(W x + b_W + R h + b_R)
 * </pre>
 * PyTorch's GRU applies the reset gate <em>after</em> the recurrent product, which ONNX only reproduces with
 * {@code linear_before_reset=1} on the GRU node; the exporter sets it.
 *
 * <p>ONNX keeps one bias tensor per direction, {@code B = [W_b, R_b]} (length 2·G·H), which
 * {@link #onnxBias} builds. All arrays are row-major; inputs are never modified.
 *
 * <p>The way back, used when a model file is read ({@link OnnxModelReader}): {@link #toPytorchGates} undoes
 * {@link #reorderGates} and {@link #pytorchBias} undoes {@link #onnxBias}, so that
 * {@code toPytorchGates(cell, reorderGates(cell, x, H), H)} equals {@code x} for every cell.
 */
public final class GateLayout {
    private static final int[] IDENTITY = {0};
    /** ONNX LSTM block k is PyTorch block LSTM_ORDER[k]: i←i, o←o, f←f, c←g. */
    private static final int[] LSTM_ORDER = {0, 3, 1, 2};
    /** ONNX GRU block k is PyTorch block GRU_ORDER[k]: z←z, r←r, h←n. */
    private static final int[] GRU_ORDER = {1, 0, 2};

    private GateLayout() {
    }

    /**
     * The gate permutation for {@code cell}: element {@code k} is the PyTorch gate block index that becomes ONNX
     * block {@code k}. LSTM {@code [0, 3, 1, 2]}, GRU {@code [1, 0, 2]}, RNN {@code [0]}. A fresh array each call.
     */
    public static int[] onnxGateOrder(CellKind cell) {
        Objects.requireNonNull(cell, "cell");
        return switch (cell) {
            case LSTM -> LSTM_ORDER.clone();
            case GRU -> GRU_ORDER.clone();
            case RNN_TANH, RNN_RELU -> IDENTITY.clone();
        };
    }

    /**
     * Reorders the gate blocks of a weight matrix or bias from PyTorch's order to ONNX's.
     *
     * @param cell       the cell, which fixes the gate count G and the order
     * @param values     row-major [G·H, columns]: {@code weight_ih} (columns = input size), {@code weight_hh}
     *                   (columns = H) or a bias (columns = 1)
     * @param hiddenSize H, the rows per gate block
     * @return a new array of the same shape with the blocks in ONNX order
     * @throws IllegalArgumentException when {@code values} cannot be split into G blocks of H whole rows
     */
    public static float[] reorderGates(CellKind cell, float[] values, int hiddenSize) {
        int blockLength = blockLength(cell, values, hiddenSize);
        int[] order = onnxGateOrder(cell);
        float[] out = new float[values.length];
        for (int k = 0; k < order.length; k++) {
            System.arraycopy(values, order[k] * blockLength, out, k * blockLength, blockLength);
        }
        return out;
    }

    /** Values per gate block of {@code values}, checked to split into G blocks of H whole rows. */
    private static int blockLength(CellKind cell, float[] values, int hiddenSize) {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(values, "values");
        if (hiddenSize < 1) {
            throw new IllegalArgumentException("hiddenSize: expected a positive number but got " + hiddenSize);
        }
        int rows = cell.gateCount() * hiddenSize;
        if (values.length == 0 || values.length % rows != 0) {
            throw new IllegalArgumentException("values: a " + cell.id() + " with hidden size " + hiddenSize
                    + " needs a whole number of columns over " + rows + " rows (" + cell.gateCount()
                    + " gates × " + hiddenSize + "), but got " + values.length + " values");
        }
        return hiddenSize * (values.length / rows);
    }

    /**
     * Reorders the gate blocks of a weight matrix or bias from ONNX's order back to PyTorch's: the inverse of
     * {@link #reorderGates} (ONNX block {@code k} goes back to PyTorch block {@code onnxGateOrder(cell)[k]}).
     *
     * @param values row-major [G·H, columns] in ONNX gate order ({@code W}, {@code R} of one direction, or one
     *               half of {@code B})
     * @return a new array of the same shape with the blocks in PyTorch order
     * @throws IllegalArgumentException when {@code values} cannot be split into G blocks of H whole rows
     */
    public static float[] toPytorchGates(CellKind cell, float[] values, int hiddenSize) {
        int blockLength = blockLength(cell, values, hiddenSize);
        int[] order = onnxGateOrder(cell);
        float[] out = new float[values.length];
        for (int k = 0; k < order.length; k++) {
            System.arraycopy(values, k * blockLength, out, order[k] * blockLength, blockLength);
        }
        return out;
    }

    /**
     * PyTorch's two biases of one direction, each with its gate blocks in PyTorch order.
     *
     * @param inputBias     {@code bias_ih} [G·H]
     * @param recurrentBias {@code bias_hh} [G·H]
     */
    public record PytorchBias(float[] inputBias, float[] recurrentBias) {
        /** Copies both arrays. */
        public PytorchBias {
            inputBias = inputBias.clone();
            recurrentBias = recurrentBias.clone();
        }

        /** A copy of {@code bias_ih}. */
        @Override
        public float[] inputBias() {
            return inputBias.clone();
        }

        /** A copy of {@code bias_hh}. */
        @Override
        public float[] recurrentBias() {
            return recurrentBias.clone();
        }
    }

    /**
     * Splits the ONNX bias of one direction, {@code [W_b, R_b]}, back into PyTorch's {@code bias_ih} and
     * {@code bias_hh}: the inverse of {@link #onnxBias}.
     *
     * @param onnxBias {@code B} of one direction [2·G·H], gate blocks in ONNX order
     * @throws IllegalArgumentException when {@code onnxBias} does not have 2·G·H values
     */
    public static PytorchBias pytorchBias(CellKind cell, float[] onnxBias, int hiddenSize) {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(onnxBias, "onnxBias");
        int rows = cell.gateCount() * Math.max(hiddenSize, 1);
        if (onnxBias.length != 2 * rows) {
            throw new IllegalArgumentException("onnxBias: a " + cell.id() + " with hidden size " + hiddenSize
                    + " needs " + 2 * rows + " values ([W_b, R_b]) but got " + onnxBias.length);
        }
        return new PytorchBias(
                toPytorchGates(cell, Arrays.copyOfRange(onnxBias, 0, rows), hiddenSize),
                toPytorchGates(cell, Arrays.copyOfRange(onnxBias, rows, 2 * rows), hiddenSize));
    }

    /**
     * The ONNX bias of one direction, {@code [W_b, R_b]}: PyTorch's {@code bias_ih} then {@code bias_hh}, each
     * with its gate blocks in ONNX order.
     *
     * @param inputBias     {@code bias_ih} [G·H]
     * @param recurrentBias {@code bias_hh} [G·H]
     * @return a new array of length 2·G·H
     * @throws IllegalArgumentException when either bias does not have G·H values
     */
    public static float[] onnxBias(CellKind cell, float[] inputBias, float[] recurrentBias, int hiddenSize) {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(inputBias, "inputBias");
        Objects.requireNonNull(recurrentBias, "recurrentBias");
        int rows = cell.gateCount() * Math.max(hiddenSize, 1);
        if (inputBias.length != rows || recurrentBias.length != rows) {
            throw new IllegalArgumentException("bias: a " + cell.id() + " with hidden size " + hiddenSize
                    + " needs " + rows + " values per bias but got bias_ih " + inputBias.length + " and bias_hh "
                    + recurrentBias.length);
        }
        float[] wb = reorderGates(cell, inputBias, hiddenSize);
        float[] rb = reorderGates(cell, recurrentBias, hiddenSize);
        float[] out = new float[2 * rows];
        System.arraycopy(wb, 0, out, 0, rows);
        System.arraycopy(rb, 0, out, rows, rows);
        return out;
    }
}
