package io.stepwise.training.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;

/**
 * A training progress bar: epoch, bar, step, running loss, samples/s and time left in the epoch. On a terminal it
 * redraws one line with carriage returns (at most ten times a second); otherwise (logs, pipes, CI) it prints a
 * plain line every {@code lineIntervalSeconds} and at the end of each epoch.
 */
public final class ConsoleProgress {
    /** How progress is shown. */
    public enum Mode {
        /** Terminal when {@link System#console()} is present, else lines. */
        AUTO,
        /** Carriage-return updates of one line. */
        TERMINAL,
        /** Periodic plain lines. */
        LINES,
        /** Nothing. */
        OFF
    }

    private static final int BAR_WIDTH = 24;

    private final PrintStream out;
    private final boolean terminal;
    private final boolean off;
    private final long lineIntervalNanos;
    private int epoch;
    private int epochs;
    private int steps;
    private long epochStart;
    private long lastPrint;
    private String lastLine = "";

    public ConsoleProgress(PrintStream out, Mode mode, double lineIntervalSeconds) {
        this.out = Objects.requireNonNull(out, "out");
        Objects.requireNonNull(mode, "mode");
        if (!(lineIntervalSeconds > 0)) {
            throw new IllegalArgumentException("lineIntervalSeconds: expected > 0 but got " + lineIntervalSeconds);
        }
        this.off = mode == Mode.OFF;
        this.terminal = mode == Mode.TERMINAL || (mode == Mode.AUTO && System.console() != null);
        this.lineIntervalNanos = (long) (lineIntervalSeconds * 1e9);
    }

    /** Starts the bar of {@code epoch} (0-based) of {@code epochs}, with {@code steps} steps. */
    public void startEpoch(int epoch, int epochs, int steps) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.steps = steps;
        this.epochStart = System.nanoTime();
        this.lastPrint = epochStart;
    }

    /** Reports that {@code step} (1-based count of finished steps) is done. */
    public void step(int done, double meanLoss, double samples) {
        if (off) {
            return;
        }
        long now = System.nanoTime();
        long interval = terminal ? 100_000_000L : lineIntervalNanos;
        if (now - lastPrint < interval && done < steps) {
            return;
        }
        lastPrint = now;
        double elapsed = (now - epochStart) / 1e9;
        double rate = elapsed > 0 ? samples / elapsed : 0;
        double eta = done > 0 ? elapsed * (steps - done) / done : Double.NaN;
        String line = String.format(Locale.ROOT, "epoch %d/%d %s %d/%d loss %.4f %.0f samples/s ETA %s",
                epoch + 1, epochs, bar(done), done, steps, meanLoss, rate, duration(eta));
        if (terminal) {
            String pad = line.length() < lastLine.length() ? " ".repeat(lastLine.length() - line.length()) : "";
            out.print("\r" + line + pad);
            lastLine = line;
        } else if (done < steps) {
            out.println(line);
        }
        out.flush();
    }

    /** Ends the epoch's bar with its summary. */
    public void endEpoch(String summary) {
        if (off) {
            return;
        }
        if (terminal) {
            String pad = summary.length() < lastLine.length() ? " ".repeat(lastLine.length() - summary.length()) : "";
            out.println("\r" + summary + pad);
            lastLine = "";
        } else {
            out.println(summary);
        }
        out.flush();
    }

    /** Prints a message on its own line. */
    public void message(String text) {
        if (!off) {
            out.println(text);
            out.flush();
        }
    }

    private String bar(int done) {
        int filled = steps == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / steps);
        return "[" + "=".repeat(filled) + (filled < BAR_WIDTH ? ">" + " ".repeat(BAR_WIDTH - filled - 1) : "") + "]";
    }

    /** {@code m:ss} or {@code h:mm:ss}. */
    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
