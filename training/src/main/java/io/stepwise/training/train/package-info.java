/**
 * The training loop: {@link io.stepwise.training.train.Trainer} with Adam, learning-rate schedules, gradient
 * clipping, early stopping, atomic checkpoints and exact resume, configured by
 * {@link io.stepwise.training.train.TrainerConfig} and driven by a {@link io.stepwise.training.train.TrainingTask}.
 */
package io.stepwise.training.train;
