package io.stepwise.training.cli;

import io.stepwise.runtime.StepwiseException;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code stepwise} command line: train, evaluate, use, inspect and verify recurrent models.
 *
 * <p>Exit codes: 0 success; 1 a failure that is not the caller's input (training diverged, a parity check or a
 * verification failed); 2 bad input (unknown option, invalid hyperparameter, missing file, non-UTF-8 text, bad CSV
 * cell, a model that is not a Stepwise model). Errors are one line on standard error, {@code stepwise: error: ...}
 * naming the option, file, line or value; {@code --verbose} adds the stack trace. The training and evaluation code
 * reports bad settings as {@link InvalidSettingException}s; this command line names each such setting by its
 * option ({@link TrainCommand#option}).
 */
@Command(name = "stepwise", mixinStandardHelpOptions = true, version = "stepwise 0.1.0-SNAPSHOT",
        description = "Train recurrent models (RNN, LSTM, GRU) with DJL, export them to ONNX with proven parity, "
                + "and run them.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, GenerateCommand.class, ForecastCommand.class,
            ClassifyCommand.class, InspectCommand.class, VerifyCommand.class, ModelsCommand.class,
            CommandLine.HelpCommand.class})
public final class StepwiseCli implements Runnable {
    /** Exit code of a failure that is not the caller's input. */
    public static final int FAILURE = 1;
    /** Exit code of bad input: options, files, data. */
    public static final int BAD_INPUT = 2;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        DjlRuntime.configureThreads();
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(new StepwiseCli());
        cli.setOut(out).setErr(err).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, arguments) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("stepwise: error: " + oneLine(e.getMessage()) + " (see 'stepwise "
                    + (c.getCommandName().equals("stepwise") ? "" : c.getCommandName() + " ") + "--help')");
            if (verbose) {
                e.printStackTrace(c.getErr());
            }
            c.getErr().flush();
            return BAD_INPUT;
        });
        cli.setExecutionExceptionHandler((e, c, parseResult) -> {
            c.getErr().println("stepwise: error: " + message(e));
            if (verbose) {
                e.printStackTrace(c.getErr());
            }
            c.getErr().flush();
            return isBadInput(e) ? BAD_INPUT : FAILURE;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The full command line as typed, for provenance: {@code stepwise train --task ...}. */
    static String commandLine(List<String> args) {
        return "stepwise " + args.stream().map(a -> a.isEmpty() || a.matches(".*[\\s'\"$`\\\\].*")
                ? "'" + a.replace("'", "'\\''") + "'" : a).collect(Collectors.joining(" "));
    }

    static boolean isBadInput(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        return t instanceof IllegalArgumentException || t instanceof StepwiseException
                || t instanceof NoSuchFileException || t instanceof AccessDeniedException
                || t instanceof InvalidPathException || t instanceof BadInputException;
    }

    static String message(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        String text;
        if (t instanceof InvalidSettingException s) {
            text = s.message(TrainCommand::option);
        } else if (t instanceof NoSuchFileException n) {
            text = "no such file: " + n.getFile();
        } else if (t instanceof AccessDeniedException a) {
            text = "permission denied: " + a.getFile();
        } else if (t instanceof IOException && t.getMessage() != null) {
            text = t.getMessage();
        } else if (t instanceof IllegalArgumentException || t instanceof IllegalStateException
                || t instanceof StepwiseException || t instanceof BadInputException) {
            text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        } else {
            text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        }
        return oneLine(text);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** Bad input detected by the command line itself; reported with exit code 2. */
    static final class BadInputException extends RuntimeException {
        BadInputException(String message) {
            super(message);
        }
    }
}
