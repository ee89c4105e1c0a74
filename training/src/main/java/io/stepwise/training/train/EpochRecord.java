package io.stepwise.training.train;

import java.util.Map;

/**
 * What one epoch measured; one entry of {@code metrics.json} and of a checkpoint's history.
 *
 * @param epoch            0-based epoch
 * @param trainLoss        mean training loss over the epoch's steps
 * @param learningRate     learning rate of the epoch's last step
 * @param seconds          wall time of training plus validation
 * @param samplesPerSecond training throughput
 * @param validation       metrics returned by {@link TrainingTask#validate}
 * @param improved         whether the monitored metric improved on the best so far
 */
public record EpochRecord(int epoch, double trainLoss, double learningRate, double seconds, double samplesPerSecond,
                          Map<String, Double> validation, boolean improved) {
    public EpochRecord {
        validation = Map.copyOf(validation);
    }

    /** The monitored value: {@code train_loss} or a validation metric; NaN when absent. */
    public double metric(String name) {
        if (TrainerConfig.TRAIN_LOSS.equals(name)) {
            return trainLoss;
        }
        Double v = validation.get(name);
        return v == null ? Double.NaN : v;
    }
}
