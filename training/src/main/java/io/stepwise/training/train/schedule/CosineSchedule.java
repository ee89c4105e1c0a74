package io.stepwise.training.train.schedule;

/**
 * Half a cosine from {@code initial} down to {@code last} over {@code steps} steps, then {@code last}:
 * <pre>
 * rate(t) = last + (initial − last) / 2 · (1 + cos(π t / steps))   for t ≤ steps
 * rate(t) = last                                                   for t &gt; steps
 * </pre>
 * (computed in {@code float} with the cosine in {@code double}, exactly as DJL's {@code CosineTracker}).
 *
 * @param initial the rate at step 0, finite and &gt; 0
 * @param last    the final rate, in [0, initial)
 * @param steps   steps of the decay (≥ 1)
 */
public record CosineSchedule(float initial, float last, int steps) implements LearningRateSchedule {
    public CosineSchedule {
        Checks.positiveRate("initial", initial);
        if (!(last >= 0 && last < initial)) {
            throw new IllegalArgumentException("last: expected 0 ≤ last < initial (" + initial + ") but got "
                    + last);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps: expected ≥ 1 but got " + steps);
        }
    }

    @Override
    public float rate(int step) {
        Checks.step(step);
        if (step > steps) {
            return last;
        }
        float half = (initial - last) / 2 * (1 + (float) Math.cos(Math.PI * step / steps));
        return last + half;
    }
}
