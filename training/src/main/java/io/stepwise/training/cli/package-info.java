/**
 * The {@code stepwise} command line ({@link io.stepwise.training.cli.StepwiseCli}, picocli): its commands turn
 * options into the typed settings of the training and evaluation code and report that code's errors in the
 * command line's own terms. Option names live here only: errors about a setting
 * ({@code io.stepwise.training.tasks.protocol.InvalidSettingException}) are named by their option
 * ({@link io.stepwise.training.cli.TrainCommand#option}).
 */
package io.stepwise.training.cli;
