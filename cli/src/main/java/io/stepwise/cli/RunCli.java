package io.stepwise.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code stepwise} command line of the runtime alone: {@code generate}, {@code forecast}, {@code classify} and
 * {@code inspect} run models with ONNX Runtime and nothing else. The training module's command line offers the same
 * commands (these very classes) plus {@code train}, {@code evaluate}, {@code verify} and {@code models}; the
 * {@code bin/stepwise} launcher runs that one when the training module is built, and this one otherwise.
 *
 * <p>Exit codes and error format: {@link CliRunner}.
 */
@Command(name = "stepwise", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run recurrent models (RNN, LSTM, GRU) exported by Stepwise, on ONNX Runtime alone.",
        subcommands = {GenerateCommand.class, ForecastCommand.class, ClassifyCommand.class, NextCommand.class,
            InspectCommand.class,
            CommandLine.HelpCommand.class})
public final class RunCli extends RootCommand {
    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return CliRunner.execute(new RunCli(), args, out, err);
    }
}
