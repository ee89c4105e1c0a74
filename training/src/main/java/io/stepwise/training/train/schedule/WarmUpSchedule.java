package io.stepwise.training.train.schedule;

import java.util.Objects;

/**
 * A linear warm-up in front of another schedule: for the first {@code steps} steps the rate rises linearly from
 * {@code first} towards {@code then.rate(0)}; afterwards it is {@code then.rate(t − steps)}:
 * <pre>
 * rate(t) = first + (then.rate(0) − first) · t / steps   for t &lt; steps
 * rate(t) = then.rate(t − steps)                         for t ≥ steps
 * </pre>
 * (in {@code float}, exactly as DJL's linear {@code WarmUpTracker}). The trainer starts at
 * {@code first = rate / steps}, so the warm-up reaches the peak rate in {@code steps} equal increments.
 *
 * @param then  the schedule after the warm-up, counted from the warm-up's end
 * @param steps warm-up steps (≥ 1)
 * @param first the rate at step 0, finite and ≥ 0
 */
public record WarmUpSchedule(LearningRateSchedule then, int steps, float first) implements LearningRateSchedule {
    public WarmUpSchedule {
        Objects.requireNonNull(then, "then");
        if (steps < 1) {
            throw new IllegalArgumentException("steps: expected ≥ 1 but got " + steps);
        }
        if (!(first >= 0) || Float.isInfinite(first)) {
            throw new IllegalArgumentException("first: expected a finite number ≥ 0 but got " + first);
        }
    }

    @Override
    public float rate(int step) {
        Checks.step(step);
        if (step < steps) {
            return first + (then.rate(0) - first) * step / steps;
        }
        return then.rate(step - steps);
    }
}
