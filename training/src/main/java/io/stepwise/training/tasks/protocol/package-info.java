/**
 * How each task's models are measured, shared by training and evaluation: the data a task reads and how it is
 * checked and split ({@link io.stepwise.training.tasks.protocol.LanguageModelProtocol},
 * {@link io.stepwise.training.tasks.protocol.ForecastProtocol},
 * {@link io.stepwise.training.tasks.protocol.ClassifyProtocol}), the metric names and the scoring, and the
 * evaluation protocol a model records ({@link io.stepwise.training.tasks.protocol.EvaluationProtocol}).
 *
 * <p>Errors about settings are {@link io.stepwise.training.tasks.protocol.InvalidSettingException}s naming a
 * {@link io.stepwise.training.tasks.protocol.Setting}; callers render its name (the command line as its option).
 *
 * <p>Depends on the data sets ({@code io.stepwise.training.data}) only: no DJL, no runtime, no training code.
 */
package io.stepwise.training.tasks.protocol;
