package io.stepwise.training.train;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of {@link Trainer#fit()} or {@link Trainer#resume()}.
 *
 * @param epochsCompleted epochs trained in total, including those before a resume
 * @param bestEpoch       0-based epoch with the best monitored metric (its weights are in {@code best.params}
 *                        and, by default, in the network after training)
 * @param bestMetric      that metric's value
 * @param stoppedEarly    whether training stopped because the metric stopped improving
 * @param history         one record per completed epoch
 * @param runDirectory    where checkpoints and {@code metrics.json} are
 */
public record TrainingResult(int epochsCompleted, int bestEpoch, double bestMetric, boolean stoppedEarly,
                             List<EpochRecord> history, Path runDirectory) {
    public TrainingResult {
        history = List.copyOf(history);
    }
}
