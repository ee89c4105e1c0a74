/**
 * The trainable network: {@link io.stepwise.training.model.RecurrentNet} (embedding or dense input, stacked RNN,
 * LSTM or GRU layers on PyTorch's kernels, a linear head) and {@link io.stepwise.training.model.DjlRuntime}, which
 * finds PyTorch's natives offline.
 */
package io.stepwise.training.model;
