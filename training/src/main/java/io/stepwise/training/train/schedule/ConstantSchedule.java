package io.stepwise.training.train.schedule;

/**
 * The same rate at every step.
 *
 * @param value the rate, finite and &gt; 0
 */
public record ConstantSchedule(float value) implements LearningRateSchedule {
    public ConstantSchedule {
        Checks.positiveRate("value", value);
    }

    @Override
    public float rate(int step) {
        Checks.step(step);
        return value;
    }
}
