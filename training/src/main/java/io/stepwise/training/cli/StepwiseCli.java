package io.stepwise.training.cli;

import io.stepwise.cli.ClassifyCommand;
import io.stepwise.cli.CliRunner;
import io.stepwise.cli.ForecastCommand;
import io.stepwise.cli.GenerateCommand;
import io.stepwise.cli.InspectCommand;
import io.stepwise.cli.NextCommand;
import io.stepwise.cli.RootCommand;
import io.stepwise.cli.VersionProvider;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The full {@code stepwise} command line: train, evaluate, verify and make the default models (this module), and
 * generate, forecast, classify and inspect (the {@code stepwise-cli} module's commands, reused as they are).
 * {@code bin/stepwise} runs this one when the training module is built.
 *
 * <p>Exit codes: 0 success; 1 a failure that is not the caller's input (training diverged, a parity check or a
 * verification failed); 2 bad input (unknown option, invalid hyperparameter, missing file, non-UTF-8 text, bad CSV
 * cell, a model that is not a Stepwise model). Errors are one line on standard error, {@code stepwise: error: ...}
 * naming the option, file, line or value; {@code --verbose} adds the stack trace. The policy is
 * {@link CliRunner}'s, with one addition: the training and evaluation code reports bad settings as
 * {@link InvalidSettingException}s, and this command line names each such setting by its option
 * ({@link TrainCommand#option}).
 */
@Command(name = "stepwise", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Train recurrent models (RNN, LSTM, GRU) with DJL, export them to ONNX with proven parity, "
                + "and run them.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, GenerateCommand.class, ForecastCommand.class,
            ExperimentCommand.class,
            ClassifyCommand.class, NextCommand.class, InspectCommand.class, VerifyCommand.class, ModelsCommand.class,
            CommandLine.HelpCommand.class})
public final class StepwiseCli extends RootCommand {
    /** Exit code of a failure that is not the caller's input. */
    public static final int FAILURE = CliRunner.FAILURE;
    /** Exit code of bad input: options, files, data. */
    public static final int BAD_INPUT = CliRunner.BAD_INPUT;

    public static void main(String[] args) {
        DjlRuntime.configureThreads();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        return CliRunner.execute(new StepwiseCli(), args, out, err, StepwiseCli::message);
    }

    /** The full command line as typed, for provenance: {@code stepwise train --task ...}. */
    static String commandLine(List<String> args) {
        return CliRunner.commandLine(args);
    }

    /** The one-line message for {@code e}: a bad setting named by its option, else {@link CliRunner#message}. */
    static String message(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        return t instanceof InvalidSettingException s ? CliRunner.oneLine(s.message(TrainCommand::option))
                : CliRunner.message(e);
    }
}
