/**
 * Learning-rate schedules: {@link io.stepwise.training.train.schedule.ConstantSchedule constant},
 * {@link io.stepwise.training.train.schedule.CosineSchedule cosine} and
 * {@link io.stepwise.training.train.schedule.StepSchedule step} decay, each optionally behind a linear
 * {@link io.stepwise.training.train.schedule.WarmUpSchedule warm-up}.
 *
 * <p>Pure functions of the optimizer step, with no DJL dependency; {@code TrainerConfig.learningRateSchedule}
 * assembles the one a run uses from its settings.
 */
package io.stepwise.training.train.schedule;
