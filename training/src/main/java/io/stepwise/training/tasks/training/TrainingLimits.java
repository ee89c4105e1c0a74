package io.stepwise.training.tasks.training;

import io.stepwise.training.tasks.TaskKind;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The largest values a training run accepts, checked before PyTorch or a data reader sees them, so that a typo
 * ({@code --layers 300}, which crashes PyTorch's native code, or a million-row file, which exhausts the heap) is a
 * one-line error naming the setting or file and the limit rather than a JVM crash, a hang or a stack trace.
 *
 * <p>Network: at most {@value #MAX_LAYERS} layers, hidden and embedding sizes up to {@value #MAX_HIDDEN} and
 * {@value #MAX_EMBEDDING}, and at most {@value #MAX_PARAMETERS} recurrent parameters in all (Adam keeps three copies
 * of each). Sequences: window, horizon, season and truncated back-propagation length up to {@value #MAX_STEPS}
 * steps. Data: every file at most {@value #MAX_FILE_BYTES} bytes; a series has at most
 * {@value #MAX_WINDOW_CELLS} / window rows (training holds one window per row in memory); a line-per-example file
 * (words, CSV rows, event sequences) at most {@value #MAX_LINES} lines. Files are counted in a streaming pass with a
 * fixed buffer before they are parsed.
 */
public final class TrainingLimits {
    /** Most stacked recurrent layers. */
    public static final int MAX_LAYERS = 16;
    /** Largest hidden size per layer and direction. */
    public static final int MAX_HIDDEN = 4096;
    /** Largest embedding width. */
    public static final int MAX_EMBEDDING = 4096;
    /** Most recurrent weights and biases of a network. */
    public static final long MAX_PARAMETERS = 50_000_000;
    /** Longest window, horizon, season or back-propagation length, in steps. */
    public static final int MAX_STEPS = 10_000;
    /** Most sequences per training step. */
    public static final int MAX_BATCH_SIZE = 65_536;
    /** Most epochs. */
    public static final int MAX_EPOCHS = 100_000;
    /** Largest data file, in bytes (64 MiB). */
    public static final long MAX_FILE_BYTES = 64L << 20;
    /** Most lines of a line-per-example data file. */
    public static final long MAX_LINES = 1_000_000;
    /** Most rows × window of a series (the training windows are held in memory). */
    public static final long MAX_WINDOW_CELLS = 10_000_000;

    private TrainingLimits() {
    }

    /**
     * Checks the network and sequence settings.
     *
     * @throws InvalidSettingException naming the setting, its value and the limit
     */
    public static void check(TrainingOptions o) {
        atMost(Setting.LAYERS, o.layers(), MAX_LAYERS, "");
        atMost(Setting.HIDDEN, o.hidden(), MAX_HIDDEN, "");
        atMost(Setting.EMBEDDING, o.embedding(), MAX_EMBEDDING, "");
        atMost(Setting.EPOCHS, o.epochs(), MAX_EPOCHS, "");
        atMost(Setting.BATCH_SIZE, o.batchSize(), MAX_BATCH_SIZE, "");
        atMost(Setting.BPTT, o.bptt(), MAX_STEPS, " steps");
        atMost(Setting.WINDOW, o.window(), MAX_STEPS, " steps");
        atMost(Setting.HORIZON, o.horizon(), MAX_STEPS, " steps");
        atMost(Setting.SEASON, o.season(), MAX_STEPS, " steps");
        long parameters = recurrentParameters(o);
        if (parameters > MAX_PARAMETERS) {
            throw new InvalidSettingException(Setting.HIDDEN, names -> String.format(Locale.ROOT, "%d with %s %d (%s%s) "
                            + "makes %,d recurrent parameters; the limit is %,d",
                    o.hidden(), names.apply(Setting.LAYERS), o.layers(), o.cell().id(),
                    o.bidirectional() ? ", bidirectional" : "", parameters, MAX_PARAMETERS));
        }
    }

    /** Weights and biases of the recurrent layers (the input width of a feature model's first layer taken as 1). */
    static long recurrentParameters(TrainingOptions o) {
        long gates = switch (o.cell()) {
            case LSTM -> 4;
            case GRU -> 3;
            default -> 1;
        };
        long h = o.hidden();
        long directions = o.bidirectional() ? 2 : 1;
        long first = o.task() == TaskKind.FORECAST ? 1 : o.embedding();
        long total = 0;
        for (int layer = 0; layer < o.layers(); layer++) {
            long in = layer == 0 ? first : h * directions;
            total += directions * gates * h * (in + h + 2);
        }
        return total;
    }

    private static void atMost(Setting setting, long value, long max, String unit) {
        if (value > max) {
            throw new InvalidSettingException(setting, String.format(Locale.ROOT, "expected at most %,d%s but got "
                    + "%,d", max, unit, value));
        }
    }

    /** What a task reads from {@code --data}. */
    public enum DataShape {
        /** One file. */
        FILE,
        /** A folder of files (each checked as a file). */
        FOLDER,
        /** Either. */
        FILE_OR_FOLDER
    }

    /**
     * Checks a data path before it is read: it exists; it is a regular file where the task reads a file (a folder,
     * a FIFO or a device is refused by name); its size and line count are within the limits.
     *
     * @param what     the task's data in words, e.g. {@code a CSV file of text,label rows}
     * @param maxLines the most lines the reader may see
     * @throws InvalidSettingException naming {@link Setting#DATA}, the file and the limit
     */
    public static void checkData(Path data, DataShape shape, String what, long maxLines) {
        if (!Files.exists(data)) {
            throw new InvalidSettingException(Setting.DATA, "no such file or folder: " + data);
        }
        if (Files.isDirectory(data)) {
            if (shape == DataShape.FILE) {
                throw new InvalidSettingException(Setting.DATA, data + " is a folder; expected " + what);
            }
            return;
        }
        if (shape == DataShape.FOLDER) {
            throw new InvalidSettingException(Setting.DATA, data + " is a file; expected " + what);
        }
        checkFile(data, maxLines, "lines");
    }

    /**
     * Checks one data file: a regular file (not a FIFO or device) of at most {@value #MAX_FILE_BYTES} bytes and
     * {@code maxLines} lines (counted with a fixed buffer; a last line without a line break counts).
     *
     * @param unit what a line is called in the message, e.g. {@code rows}
     * @return the number of lines, or −1 when {@code maxLines} is {@code Long.MAX_VALUE} (not counted)
     */
    public static long checkFile(Path file, long maxLines, String unit) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
            throw new InvalidSettingException(Setting.DATA, file + " is not a regular file (a folder, pipe or "
                    + "device); expected a data file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (size > MAX_FILE_BYTES) {
            throw new InvalidSettingException(Setting.DATA, String.format(Locale.ROOT, "%s has %,d bytes; the limit "
                    + "for a data file is %,d bytes (%d MiB)", file, size, MAX_FILE_BYTES, MAX_FILE_BYTES >> 20));
        }
        if (maxLines == Long.MAX_VALUE) {
            return -1;
        }
        long lines = countLines(file, maxLines);
        if (lines > maxLines) {
            throw new InvalidSettingException(Setting.DATA, String.format(Locale.ROOT, "%s has more than %,d %s; the "
                    + "limit is %,d %s", file, maxLines, unit, maxLines, unit));
        }
        return lines;
    }

    /**
     * Checks a series file for a window: rows × window ≤ {@value #MAX_WINDOW_CELLS}.
     *
     * @throws InvalidSettingException naming {@link Setting#DATA}, the file, the window and the limit
     */
    public static void checkSeries(Path file, int window) {
        long maxRows = Math.min(MAX_LINES, MAX_WINDOW_CELLS / Math.max(1, window)) + 1; // + the header
        try {
            checkFile(file, maxRows, "rows");
        } catch (InvalidSettingException e) {
            if (e.setting() == Setting.DATA && e.getMessage().contains(" rows")) {
                throw new InvalidSettingException(Setting.DATA, names -> String.format(Locale.ROOT, "%s has more "
                                + "than %,d rows; with %s %d the limit is %,d rows (rows × window ≤ %,d: the training "
                                + "windows are held in memory)", file, maxRows - 1, names.apply(Setting.WINDOW), window,
                        maxRows - 1, MAX_WINDOW_CELLS));
            }
            throw e;
        }
    }

    /** Lines of {@code file}, counting stops once past {@code stopAfter}. */
    private static long countLines(Path file, long stopAfter) {
        byte[] buffer = new byte[1 << 16];
        long lines = 0;
        boolean pending = false;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                        pending = false;
                    } else {
                        pending = true;
                    }
                }
                if (lines > stopAfter) {
                    return lines;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return lines + (pending ? 1 : 0);
    }
}
