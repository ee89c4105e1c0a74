/**
 * The full {@code stepwise} command line ({@link io.stepwise.training.cli.StepwiseCli}, picocli): {@code train},
 * {@code evaluate}, {@code verify} and {@code models} from this module, plus the run commands ({@code generate},
 * {@code forecast}, {@code classify}, {@code inspect}) of the PyTorch-free {@code io.stepwise.cli} module, reused as
 * they are. The commands turn options into the typed settings of the training and evaluation code and report that
 * code's errors in the command line's own terms. Option names live in the command lines only: errors about a
 * setting ({@code io.stepwise.training.tasks.protocol.InvalidSettingException}) are named by their option
 * ({@link io.stepwise.training.cli.TrainCommand#option}).
 */
package io.stepwise.training.cli;
