package io.stepwise.training.train;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What {@link Trainer} needs from a concrete task (language model, forecaster, classifier).
 *
 * <p>The trainer owns the loop, the optimizer, clipping, the schedule, checkpoints and early stopping; the task
 * owns the data and the loss. A batch type {@code B} should be a cheap descriptor (indices, offsets, Java arrays):
 * the task turns it into arrays in {@link TaskContext#manager()}, which is closed after the step.
 *
 * <p>Reproducibility contract: {@link #trainBatches} must depend only on its arguments (the trainer passes a
 * {@link Random} derived from the seed and the epoch, and may call it more than once for the same epoch), so that a
 * resumed run sees the very batches an uninterrupted one would.
 *
 * @param <B> one training batch
 */
public interface TrainingTask<B> {
    /** The batches of {@code epoch} (0-based), in training order; shuffle with {@code random} only. */
    List<B> trainBatches(int epoch, Random random);

    /**
     * Runs the model in training mode ({@code context.training()} is true) on {@code batch} and returns the scalar
     * loss to minimise (usually the batch mean). Carried recurrent state (truncated back-propagation through
     * time) is the task's own, typically a {@link CarriedState} reset in {@link #startEpoch}.
     */
    NDArray loss(TaskContext context, B batch);

    /** Samples in {@code batch} (sequences, tokens or windows), for the samples/s figure. */
    long sampleCount(B batch);

    /**
     * Evaluates the model ({@code context.training()} is false) on held-out data after each epoch and returns
     * named metrics, e.g. {@code val_loss}, {@code accuracy}; the one named by {@link TrainerConfig#monitor()}
     * drives early stopping and best-model selection. May return an empty map when the monitor is
     * {@code train_loss}.
     */
    Map<String, Double> validate(TaskContext context);

    /** Called before the first batch of every epoch, including the first epoch after a resume. */
    default void startEpoch(int epoch) {
    }
}
