package io.stepwise.conversion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateLayoutTest {

    @Test
    void lstmBlocksMoveFromIfgoToIofc() {
        // H = 1, one input column: PyTorch rows i=1, f=2, g=3, o=4 → ONNX i, o, f, c(=g).
        float[] pytorch = {1, 2, 3, 4};
        assertArrayEquals(new float[]{1, 4, 2, 3}, GateLayout.reorderGates(CellKind.LSTM, pytorch, 1));
    }

    @Test
    void lstmWeightMatrixMovesWholeRowBlocks() {
        // H = 2, 2 columns: each gate block is 2 rows × 2 columns = 4 values.
        float[] pytorch = {
                1, 2, 3, 4,      // i
                5, 6, 7, 8,      // f
                9, 10, 11, 12,   // g
                13, 14, 15, 16}; // o
        float[] onnx = {
                1, 2, 3, 4,      // i
                13, 14, 15, 16,  // o
                5, 6, 7, 8,      // f
                9, 10, 11, 12};  // c
        assertArrayEquals(onnx, GateLayout.reorderGates(CellKind.LSTM, pytorch, 2));
    }

    @Test
    void gruBlocksMoveFromRznToZrh() {
        // H = 2, 1 column (a bias): r = 1,2; z = 3,4; n = 5,6 → z, r, h.
        float[] pytorch = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new float[]{3, 4, 1, 2, 5, 6}, GateLayout.reorderGates(CellKind.GRU, pytorch, 2));
    }

    @Test
    void gruRecurrentWeights() {
        // H = 1, weight_hh [3, 1].
        assertArrayEquals(new float[]{20, 10, 30},
                GateLayout.reorderGates(CellKind.GRU, new float[]{10, 20, 30}, 1));
    }

    @Test
    void rnnIsUnchangedButCopied() {
        float[] pytorch = {1, 2, 3, 4, 5, 6};
        float[] onnx = GateLayout.reorderGates(CellKind.RNN_RELU, pytorch, 2);
        assertArrayEquals(pytorch, onnx);
        onnx[0] = 99;
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, pytorch, "the input must not be modified or shared");
    }

    @Test
    void biasIsInputBiasThenRecurrentBiasEachReordered() {
        float[] biasIh = {1, 2, 3, 4};      // LSTM, H = 1: i f g o
        float[] biasHh = {5, 6, 7, 8};
        assertArrayEquals(new float[]{1, 4, 2, 3, 5, 8, 6, 7},
                GateLayout.onnxBias(CellKind.LSTM, biasIh, biasHh, 1));
        assertArrayEquals(new float[]{2, 1, 3, 5, 4, 6},
                GateLayout.onnxBias(CellKind.GRU, new float[]{1, 2, 3}, new float[]{4, 5, 6}, 1));
        assertArrayEquals(new float[]{1, 2, 3, 4},
                GateLayout.onnxBias(CellKind.RNN_TANH, new float[]{1, 2}, new float[]{3, 4}, 2));
    }

    @Test
    void gateOrders() {
        assertArrayEquals(new int[]{0, 3, 1, 2}, GateLayout.onnxGateOrder(CellKind.LSTM));
        assertArrayEquals(new int[]{1, 0, 2}, GateLayout.onnxGateOrder(CellKind.GRU));
        assertArrayEquals(new int[]{0}, GateLayout.onnxGateOrder(CellKind.RNN_TANH));
    }

    @Test
    void rejectsArraysThatDoNotSplitIntoGateBlocks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GateLayout.reorderGates(CellKind.LSTM, new float[]{1, 2, 3, 4, 5, 6}, 1));
        assertTrue(e.getMessage().contains("values") && e.getMessage().contains("6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GateLayout.reorderGates(CellKind.GRU, new float[]{1, 2, 3}, 0));
        assertTrue(e.getMessage().startsWith("hiddenSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GateLayout.onnxBias(CellKind.GRU, new float[]{1, 2, 3}, new float[]{1, 2}, 1));
        assertTrue(e.getMessage().contains("bias_hh 2"), e.getMessage());
    }

    @Test
    void toPytorchGatesUndoesTheLstmReorder() {
        // H = 1: ONNX i=1, o=4, f=2, c=3 → PyTorch i, f, g, o.
        assertArrayEquals(new float[]{1, 2, 3, 4}, GateLayout.toPytorchGates(CellKind.LSTM, new float[]{1, 4, 2, 3}, 1));
    }

    @Test
    void toPytorchGatesUndoesTheGruReorder() {
        // H = 2, one column: ONNX z = 3,4; r = 1,2; h = 5,6 → PyTorch r, z, n.
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6},
                GateLayout.toPytorchGates(CellKind.GRU, new float[]{3, 4, 1, 2, 5, 6}, 2));
    }

    @Test
    void reorderThenInverseIsIdentityForEveryCell() {
        for (CellKind cell : CellKind.values()) {
            int hidden = 2;
            int columns = 3;
            float[] pytorch = new float[cell.gateCount() * hidden * columns];
            for (int i = 0; i < pytorch.length; i++) {
                pytorch[i] = i + 1;
            }
            float[] onnx = GateLayout.reorderGates(cell, pytorch, hidden);
            assertArrayEquals(pytorch, GateLayout.toPytorchGates(cell, onnx, hidden), cell.id());
            assertArrayEquals(onnx, GateLayout.reorderGates(cell, GateLayout.toPytorchGates(cell, onnx, hidden),
                    hidden), cell.id());
        }
    }

    @Test
    void pytorchBiasSplitsAndReordersTheOnnxBias() {
        // LSTM, H = 1: ONNX B = [W_b in i o f c, R_b in i o f c].
        GateLayout.PytorchBias bias = GateLayout.pytorchBias(CellKind.LSTM, new float[]{1, 4, 2, 3, 5, 8, 6, 7}, 1);
        assertArrayEquals(new float[]{1, 2, 3, 4}, bias.inputBias());
        assertArrayEquals(new float[]{5, 6, 7, 8}, bias.recurrentBias());
        bias.inputBias()[0] = 99;
        bias.recurrentBias()[0] = 99;
        assertArrayEquals(new float[]{1, 2, 3, 4}, bias.inputBias(), "copied on the way out");
        assertArrayEquals(new float[]{5, 6, 7, 8}, bias.recurrentBias(), "copied on the way out");
        for (CellKind cell : CellKind.values()) {
            float[] ih = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
            float[] hh = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
            int hidden = 12 / cell.gateCount();
            GateLayout.PytorchBias back = GateLayout.pytorchBias(cell, GateLayout.onnxBias(cell, ih, hh, hidden), hidden);
            assertArrayEquals(ih, back.inputBias(), cell.id());
            assertArrayEquals(hh, back.recurrentBias(), cell.id());
        }
    }

    @Test
    void inverseRejectsValuesThatDoNotSplitIntoGates() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GateLayout.toPytorchGates(CellKind.LSTM, new float[6], 1));
        assertTrue(e.getMessage().contains("6 values"), e.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> GateLayout.pytorchBias(CellKind.GRU, new float[5], 1));
        assertTrue(b.getMessage().contains("onnxBias") && b.getMessage().contains("6 values"), b.getMessage());
    }
}
