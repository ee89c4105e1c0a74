/**
 * The {@code stepwise} command line of the run stage, on the runtime jar alone (picocli + ONNX Runtime, no DJL or
 * PyTorch): {@link io.stepwise.cli.GenerateCommand generate}, {@link io.stepwise.cli.ForecastCommand forecast},
 * {@link io.stepwise.cli.ClassifyCommand classify} and {@link io.stepwise.cli.InspectCommand inspect}, under the
 * root {@link io.stepwise.cli.RunCli}. {@link io.stepwise.cli.CliRunner} holds the error policy (exit codes, one-line
 * errors) that the training module's command line shares; {@link io.stepwise.cli.SeriesCsvReader} and
 * {@link io.stepwise.cli.Utf8Files} read the data files both command lines take.
 */
package io.stepwise.cli;
