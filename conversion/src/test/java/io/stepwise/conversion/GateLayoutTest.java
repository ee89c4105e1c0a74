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
}
