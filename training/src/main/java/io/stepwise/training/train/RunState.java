package io.stepwise.training.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a run stands between epochs, besides its tensors: what a checkpoint's header holds and
 * {@link TrainingResult} reports. Mutable; owned by one {@link Trainer} call.
 */
final class RunState {
    /** 0-based epoch to train next (= epochs completed). */
    int nextEpoch;
    /** 0-based epoch with the best monitored metric; −1 before the first epoch. */
    int bestEpoch = -1;
    /** The best monitored metric; NaN before the first epoch. */
    double bestMetric = Double.NaN;
    int epochsWithoutImprovement;
    boolean stoppedEarly;
    /** One record per completed epoch. */
    List<EpochRecord> history = new ArrayList<>();

    /** Whether no epoch is left to train. */
    boolean finished(int epochs) {
        return stoppedEarly || nextEpoch >= epochs;
    }
}
