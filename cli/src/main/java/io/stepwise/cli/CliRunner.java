package io.stepwise.cli;

import io.stepwise.runtime.StepwiseException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * Runs a {@code stepwise} command line — this module's {@link RunCli}, or the training module's, which adds its
 * commands to these — with one error policy.
 *
 * <p>Exit codes: 0 success; {@value #FAILURE} a failure that is not the caller's input (training diverged, a parity
 * check or a verification failed); {@value #BAD_INPUT} bad input (unknown option, invalid value, missing file,
 * non-UTF-8 text, bad CSV cell, a model that is not a Stepwise model). Errors are one line on standard error,
 * {@code stepwise: error: ...} naming the option, file, line or value; {@code --verbose} adds the stack trace.
 */
public final class CliRunner {
    /** Exit code of a failure that is not the caller's input. */
    public static final int FAILURE = 1;
    /** Exit code of bad input: options, files, data. */
    public static final int BAD_INPUT = 2;

    private CliRunner() {
    }

    /**
     * Runs {@code args} against the picocli command object {@code root}, writing to {@code out} and {@code err}.
     *
     * @return the exit code: 0, {@value #FAILURE} or {@value #BAD_INPUT}, or what the command returned
     */
    public static int execute(Object root, String[] args, PrintWriter out, PrintWriter err) {
        return execute(root, args, out, err, CliRunner::message);
    }

    /**
     * As {@link #execute(Object, String[], PrintWriter, PrintWriter)}, with {@code messages} writing the one-line
     * message of an exception a command threw (for errors the calling module names in its own terms; it falls back
     * to {@link #message(Throwable)} for the rest).
     */
    public static int execute(Object root, String[] args, PrintWriter out, PrintWriter err,
                              Function<Throwable, String> messages) {
        Objects.requireNonNull(messages, "messages");
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(root);
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
            c.getErr().println("stepwise: error: " + messages.apply(e));
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

    /** The full command line as typed, quoted for a shell, for provenance: {@code stepwise train --task ...}. */
    public static String commandLine(List<String> args) {
        return "stepwise " + args.stream().map(a -> a.isEmpty() || a.matches(".*[\\s'\"$`\\\\].*")
                ? "'" + a.replace("'", "'\\''") + "'" : a).collect(Collectors.joining(" "));
    }

    /** Whether {@code e} is the caller's mistake (exit code {@value #BAD_INPUT}) rather than a failure. */
    public static boolean isBadInput(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        return t instanceof IllegalArgumentException || t instanceof StepwiseException
                || t instanceof NoSuchFileException || t instanceof AccessDeniedException
                || t instanceof InvalidPathException || t instanceof BadInputException;
    }

    /** The one-line message shown for {@code e}: the reason, without class names where they add nothing. */
    public static String message(Throwable e) {
        Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
        String text;
        if (t instanceof NoSuchFileException n) {
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

    /** {@code text} stripped, its line breaks joined with "; ", so that an error stays on one line. */
    public static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** Bad input detected by a command itself; reported with exit code {@value #BAD_INPUT}. */
    public static final class BadInputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param message what is wrong, naming the option or value */
        public BadInputException(String message) {
            super(message);
        }
    }
}
