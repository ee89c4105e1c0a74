package io.stepwise.training.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;

/**
 * What a {@link TrainingTask} gets for one step or one validation pass.
 *
 * @param manager        where the task creates its arrays; closed by the trainer right after the step or pass
 * @param parameterStore pass to {@code block.forward(parameterStore, inputs, training)}
 * @param training       true for training steps (dropout active, gradients recorded), false for validation
 * @param epoch          0-based epoch
 * @param step           0-based step within the epoch (0 for validation)
 */
public record TaskContext(NDManager manager, ParameterStore parameterStore, boolean training, int epoch, int step) {
}
