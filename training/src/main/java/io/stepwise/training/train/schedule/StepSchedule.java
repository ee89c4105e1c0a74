package io.stepwise.training.train.schedule;

/**
 * Multiplies the rate by {@code factor} every {@code interval} steps:
 * {@code rate(t) = initial · factor^⌊(t + offset) / interval⌋}.
 *
 * <p>{@code offset} shifts where the intervals start. Behind a {@link WarmUpSchedule} of {@code w} steps, which
 * hands this schedule {@code t − w}, an offset of {@code w} keeps the intervals counted from the start of training
 * (so that with {@code interval} = steps per epoch, the rate changes at epoch boundaries).
 *
 * @param initial  the rate before the first decay, finite and &gt; 0
 * @param factor   the multiplier, in (0, 1]
 * @param interval steps between decays (≥ 1)
 * @param offset   steps added before dividing into intervals (≥ 0)
 */
public record StepSchedule(float initial, float factor, int interval, int offset) implements LearningRateSchedule {
    public StepSchedule {
        Checks.positiveRate("initial", initial);
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("factor: expected a factor in (0, 1] but got " + factor);
        }
        if (interval < 1) {
            throw new IllegalArgumentException("interval: expected ≥ 1 but got " + interval);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: expected ≥ 0 but got " + offset);
        }
    }

    @Override
    public float rate(int step) {
        Checks.step(step);
        return initial * (float) Math.pow(factor, (step + offset) / interval);
    }
}
