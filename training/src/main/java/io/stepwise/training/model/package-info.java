/**
 * The trainable network and DJL's setup: {@link io.stepwise.training.model.RecurrentNet} is the DJL block for a
 * {@code NetworkSpec} (embedding or features, recurrent layers on PyTorch's kernels, linear head) that training,
 * export and the parity check all use; {@link io.stepwise.training.model.DjlRuntime} prepares the PyTorch engine
 * (offline, thread count, seeding).
 */
package io.stepwise.training.model;
