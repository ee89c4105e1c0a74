package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDArray;
import io.stepwise.training.train.TaskContext;
import io.stepwise.training.train.TrainingTask;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Wraps a task so that training stops between epochs once a wall-clock budget is spent ({@code --max-minutes}).
 *
 * <p>The trainer calls {@link #startEpoch} after the previous epoch's metrics, best weights and checkpoint are on
 * disk; that is where {@link TimeLimitReached} is thrown, so nothing is lost and the run can be resumed later.
 * The first epoch of each invocation always runs, so every run makes progress.
 */
final class TimeLimitedTask<B> implements TrainingTask<B> {
    /** Thrown from {@link #startEpoch} when the budget is spent; carries the epochs completed so far. */
    static final class TimeLimitReached extends RuntimeException {
        private final int completedEpochs;

        TimeLimitReached(int completedEpochs, Duration limit) {
            super("time limit of " + limit.toSeconds() + " s reached after epoch " + completedEpochs, null, false,
                    false);
            this.completedEpochs = completedEpochs;
        }

        int completedEpochs() {
            return completedEpochs;
        }
    }

    private final TrainingTask<B> task;
    private final Duration limit;
    private final long start = System.nanoTime();
    private int firstEpoch = -1;

    /** {@code limit} null or zero = no limit. */
    TimeLimitedTask(TrainingTask<B> task, Duration limit) {
        this.task = task;
        this.limit = limit == null || limit.isZero() ? null : limit;
    }

    @Override
    public void startEpoch(int epoch) {
        if (firstEpoch < 0) {
            firstEpoch = epoch;
        } else if (limit != null && System.nanoTime() - start >= limit.toNanos()) {
            throw new TimeLimitReached(epoch, limit);
        }
        task.startEpoch(epoch);
    }

    @Override
    public List<B> trainBatches(int epoch, Random random) {
        return task.trainBatches(epoch, random);
    }

    @Override
    public NDArray loss(TaskContext context, B batch) {
        return task.loss(context, batch);
    }

    @Override
    public long sampleCount(B batch) {
        return task.sampleCount(batch);
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return task.validate(context);
    }
}
