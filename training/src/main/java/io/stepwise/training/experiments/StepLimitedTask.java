package io.stepwise.training.experiments;

import ai.djl.ndarray.NDArray;
import io.stepwise.training.train.TaskContext;
import io.stepwise.training.train.TrainingTask;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;

/**
 * The first {@code steps} batches of another task's epoch, with no validation: for timing the training loop on a
 * real task without training it to the end. Counts the tokens (time steps × sequences) the batches hold.
 */
final class StepLimitedTask<B> implements TrainingTask<B> {
    private final TrainingTask<B> task;
    private final int steps;
    private final ToLongFunction<B> tokens;
    private long tokensSeen;

    StepLimitedTask(TrainingTask<B> task, int steps, ToLongFunction<B> tokens) {
        this.task = task;
        this.steps = steps;
        this.tokens = tokens;
    }

    @Override
    public List<B> trainBatches(int epoch, Random random) {
        List<B> all = task.trainBatches(epoch, random);
        return List.copyOf(all.subList(0, Math.min(steps, all.size())));
    }

    @Override
    public NDArray loss(TaskContext context, B batch) {
        tokensSeen += tokens.applyAsLong(batch);
        return task.loss(context, batch);
    }

    @Override
    public long sampleCount(B batch) {
        return task.sampleCount(batch);
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of();
    }

    @Override
    public void startEpoch(int epoch) {
        task.startEpoch(epoch);
    }

    /** Tokens in the batches trained so far. */
    long tokensSeen() {
        return tokensSeen;
    }
}
