package io.stepwise.conversion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checks the reference itself on one-unit networks whose results are worked out by hand below. */
class ReferenceNetworkTest {
    private static final float[][][] ZERO_STATE = {{{0f}}};

    private static NetworkSpec oneUnit(CellKind cell) {
        return NetworkSpec.builder().setCell(cell).setHiddenSize(1).setFeatureInput(1).setOutputSize(1).build();
    }

    /** Head weight 2, bias 1, so output = 2h + 1. */
    private static NetworkWeights weights(NetworkSpec spec, float[] wih, float[] whh, float[] bih, float[] bhh) {
        return NetworkWeights.builder(spec).setLayer(0, 0, new LayerWeights(wih, whh, bih, bhh))
                .setHead(new float[]{2}, new float[]{1}).build();
    }

    @Test
    void reluRnnTwoSteps() {
        NetworkSpec spec = oneUnit(CellKind.RNN_RELU);
        // h1 = relu(1·x1 + 0.5 + 0.5·h0 − 0.25) with x1 = 1, h0 = 0 → 1.25
        // h2 = relu(1·x2 + 0.5 + 0.5·1.25 − 0.25) with x2 = −3 → relu(−2.125) = 0
        NetworkWeights w = weights(spec, new float[]{1}, new float[]{0.5f}, new float[]{0.5f}, new float[]{-0.25f});
        ReferenceNetwork.Result r = new ReferenceNetwork(spec, w)
                .runFeatures(new float[][][]{{{1}, {-3}}}, ZERO_STATE, null);
        assertEquals(2 * 1.25 + 1, r.output()[0][0][0], 1e-12);
        assertEquals(1, r.output()[0][1][0], 1e-12);
        assertEquals(0, r.hn()[0][0][0], 1e-12);
    }

    @Test
    void gruAppliesResetToRecurrentProductPlusBias() {
        NetworkSpec spec = oneUnit(CellKind.GRU);
        // Input weights 0 and input biases 0: every gate sees only R h + b_R. With h0 = 1:
        // r = σ(0·1 + 0) = 0.5, z = σ(0·1 + 0) = 0.5, n = tanh(0 + r·(2·1 + 1)) = tanh(1.5)
        // h1 = (1 − z)·n + z·h0 = 0.5·tanh(1.5) + 0.5
        NetworkWeights w = weights(spec, new float[]{0, 0, 0}, new float[]{0, 0, 2}, new float[]{0, 0, 0},
                new float[]{0, 0, 1});
        ReferenceNetwork.Result r = new ReferenceNetwork(spec, w)
                .runFeatures(new float[][][]{{{7}}}, new float[][][]{{{1}}}, null);
        assertEquals(0.5 * Math.tanh(1.5) + 0.5, r.hn()[0][0][0], 1e-12);
    }

    @Test
    void lstmGateOrderIsInputForgetCellOutput() {
        NetworkSpec spec = oneUnit(CellKind.LSTM);
        // x = 1, h0 = 0, c0 = 2; input weights per gate i, f, g, o = 0, 0, 1, 0 and input biases 1, −1, 0, 2:
        // i = σ(1), f = σ(−1), g = tanh(1), o = σ(2); c1 = f·2 + i·g; h1 = o·tanh(c1)
        NetworkWeights w = weights(spec, new float[]{0, 0, 1, 0}, new float[]{0, 0, 0, 0},
                new float[]{1, -1, 0, 2}, new float[]{0, 0, 0, 0});
        ReferenceNetwork.Result r = new ReferenceNetwork(spec, w)
                .runFeatures(new float[][][]{{{1}}}, ZERO_STATE, new float[][][]{{{2}}});
        double c1 = sigmoid(-1) * 2 + sigmoid(1) * Math.tanh(1);
        assertEquals(c1, r.cn()[0][0][0], 1e-12);
        assertEquals(sigmoid(2) * Math.tanh(c1), r.hn()[0][0][0], 1e-12);
    }

    @Test
    void bidirectionalFinalStateHeadReadsForwardLastAndBackwardFirstStep() {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.RNN_RELU).setHiddenSize(1).setFeatureInput(1)
                .optBidirectional(true).optHead(HeadKind.FINAL_STATE).setOutputSize(2).build();
        // Both directions: h' = relu(x + h). Inputs 1, 2, 3 from zero state: forward ends at 6 after step 3,
        // backward reads 3, 2, 1 and ends at 6 after step 1. Head rows (1, 0) and (0, 10) pick them apart.
        LayerWeights sum = new LayerWeights(new float[]{1}, new float[]{1}, new float[]{0}, new float[]{0});
        LayerWeights scaled = new LayerWeights(new float[]{1}, new float[]{0.5f}, new float[]{0}, new float[]{0});
        NetworkWeights w = NetworkWeights.builder(spec).setLayer(0, 0, sum).setLayer(0, 1, scaled)
                .setHead(new float[]{1, 0, 0, 10}, new float[]{0, 0}).build();
        ReferenceNetwork.Result r = new ReferenceNetwork(spec, w)
                .runFeatures(new float[][][]{{{1}, {2}, {3}}}, new float[][][]{{{0}}, {{0}}}, null);
        // backward with h' = relu(x + 0.5h): 3 → 3, then 2 + 1.5 = 3.5, then 1 + 1.75 = 2.75
        assertEquals(6, r.output()[0][0][0], 1e-12);
        assertEquals(27.5, r.output()[0][0][1], 1e-12);
    }

    private static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }
}
