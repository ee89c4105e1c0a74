package io.stepwise.conversion;

/**
 * Weights of one direction of one recurrent layer, in the PyTorch/DJL layout (row-major, gate blocks stacked
 * along the rows in PyTorch's order: LSTM i,f,g,o; GRU r,z,n; RNN one block).
 *
 * @param inputWeights     {@code weight_ih}: [gates·H, inputSize]
 * @param recurrentWeights {@code weight_hh}: [gates·H, H]
 * @param inputBias        {@code bias_ih}: [gates·H]
 * @param recurrentBias    {@code bias_hh}: [gates·H]
 */
public record LayerWeights(float[] inputWeights, float[] recurrentWeights, float[] inputBias, float[] recurrentBias) {
}
