/**
 * Training the three Stepwise tasks: {@link io.stepwise.training.tasks.training.LanguageModelTask},
 * {@link io.stepwise.training.tasks.training.ForecastTask} and
 * {@link io.stepwise.training.tasks.training.ClassifyTask} are {@link io.stepwise.training.train.TrainingTask}s
 * (batches, loss, validation with the DJL network, final metrics, model metadata, plots) over the data their
 * {@link io.stepwise.training.tasks.protocol protocol} prepares;
 * {@link io.stepwise.training.tasks.training.ModelTraining} runs one training from
 * {@link io.stepwise.training.tasks.training.TrainingOptions} (typed settings; no command-line names) to an
 * exported, parity-checked model with its card.
 *
 * <p>Depends on the trainer, the network, the exporter and the layers below it; nothing outside the command line
 * depends on this package.
 */
package io.stepwise.training.tasks.training;
