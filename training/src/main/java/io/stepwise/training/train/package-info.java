/**
 * The training loop, independent of any task: {@link io.stepwise.training.train.Trainer} runs epochs of a
 * {@link io.stepwise.training.train.TrainingTask} (the task owns data and loss; the trainer owns Adam, gradient
 * clipping, the learning-rate schedule, validation, early stopping and the run folder).
 *
 * <p>The run folder's files are formats of their own: {@link io.stepwise.training.train.CheckpointFormat}
 * ({@code checkpoint.bin}, a versioned compatibility contract: old checkpoints keep resuming),
 * {@link io.stepwise.training.train.ParameterFiles} ({@code best.params}) and
 * {@link io.stepwise.training.train.MetricsFile} ({@code metrics.json}). Hyperparameters are a
 * {@link io.stepwise.training.train.TrainerConfig}; the learning-rate schedules live in
 * {@link io.stepwise.training.train.schedule}.
 *
 * <p>Nothing here knows the Stepwise tasks, their data or the command line; evaluating an exported model never
 * needs this package.
 */
package io.stepwise.training.train;
