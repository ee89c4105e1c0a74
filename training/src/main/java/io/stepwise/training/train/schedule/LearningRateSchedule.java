package io.stepwise.training.train.schedule;

/**
 * The learning rate of every optimizer step.
 *
 * <p>Implementations are immutable values and pure functions of the step, so a resumed run that restores the
 * optimizer's step count continues the schedule exactly. Rates are computed in {@code float} the way DJL's
 * {@code ai.djl.training.tracker} trackers compute them, so that runs keep the rates (and therefore the weights)
 * they had when the trainer used those trackers.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /**
     * The rate of optimizer step {@code step}.
     *
     * @param step 0-based count of the updates made before this one (≥ 0)
     */
    float rate(int step);
}
