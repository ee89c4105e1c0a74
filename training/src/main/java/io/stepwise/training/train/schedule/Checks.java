package io.stepwise.training.train.schedule;

/** Argument checks shared by the schedules. */
final class Checks {
    private Checks() {
    }

    static void step(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("step: expected ≥ 0 but got " + step);
        }
    }

    /** {@code rate} when it is a finite number &gt; 0. */
    static float positiveRate(String name, float rate) {
        if (!(rate > 0) || Float.isInfinite(rate)) {
            throw new IllegalArgumentException(name + ": expected a finite number > 0 but got " + rate);
        }
        return rate;
    }
}
