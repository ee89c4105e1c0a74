package io.stepwise.training.data;

import io.stepwise.cli.SeriesCsvReader;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads a numeric time series from a CSV file into a {@link TimeSeries}. The format and its errors are those of
 * {@link SeriesCsvReader} (the command line's reader), so that training and {@code stepwise forecast} read a file
 * the same way:
 *
 * <p>UTF-8 (strict), comma-separated, first line a header of column names; fields may be wrapped in double quotes;
 * cells are trimmed; blank lines are skipped. An empty cell in a value column is a missing value (NaN in
 * {@link TimeSeries#values()}); any other cell must be a plain decimal number. The time column is named with
 * {@link #optTimeColumn} or auto-detected (the first column, when its header is a time word such as {@code date} or
 * {@code year}, or when any of its cells is not a number); {@link #optNoTimeColumn()} treats every column as a
 * value. Value columns: all non-time columns, or the ones named with {@link #optValueColumns}, in that order.
 *
 * <p>Errors are {@link IllegalArgumentException}s that name the file, line (1-based, the header is line 1),
 * column and offending value.
 */
public final class SeriesCsv {
    private final SeriesCsvReader reader = SeriesCsvReader.reader();

    private SeriesCsv() {
    }

    /** A reader with the defaults (auto-detected time column, all other columns as values). */
    public static SeriesCsv reader() {
        return new SeriesCsv();
    }

    /** Reads {@code file} with the defaults. */
    public static TimeSeries read(Path file) {
        return reader().readFile(file);
    }

    /** Uses the named column as the time column. */
    public SeriesCsv optTimeColumn(String name) {
        reader.optTimeColumn(Objects.requireNonNull(name, "name"));
        return this;
    }

    /** There is no time column: every column is a value column. */
    public SeriesCsv optNoTimeColumn() {
        reader.optNoTimeColumn();
        return this;
    }

    /** Reads only these value columns, in this order. */
    public SeriesCsv optValueColumns(String... names) {
        reader.optValueColumns(names);
        return this;
    }

    /** Reads the file. */
    public TimeSeries readFile(Path file) {
        SeriesCsvReader.Table t = reader.readFile(file);
        return new TimeSeries(t.source(), t.timeColumn().orElse(null), t.timeStamps(), t.columns(), t.values());
    }
}
