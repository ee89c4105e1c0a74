/**
 * The full {@code stepwise} command line ({@link io.stepwise.training.cli.StepwiseCli}): {@code train},
 * {@code evaluate}, {@code verify} and {@code models} from this module, plus the run commands ({@code generate},
 * {@code forecast}, {@code classify}, {@code inspect}) of the PyTorch-free {@code io.stepwise.cli} module, reused as
 * they are. Command-line flag names live here.
 */
package io.stepwise.training.cli;
