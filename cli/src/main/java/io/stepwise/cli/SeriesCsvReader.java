package io.stepwise.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a numeric time series from a CSV file: the history that {@code stepwise forecast} continues, and the
 * training module's series data ({@code io.stepwise.training.data.SeriesCsv} reads through this class, so training
 * and forecasting read a file the same way).
 *
 * <p>Format: UTF-8 (strict), comma-separated, first line a header of column names; fields may be wrapped in
 * double quotes ({@code ""} inside quotes is a quote); cells are trimmed; blank lines are skipped. Every row
 * must have as many cells as the header. An empty cell in a value column is a missing value (NaN in
 * {@link Table#values()}); any other cell must be a plain decimal number ({@code 12}, {@code -3.5},
 * {@code 1e-3}; not {@code NaN} or {@code Infinity}).
 *
 * <p><b>Time column.</b> Named with {@link #optTimeColumn}; or, by default, auto-detected: the first column is
 * the time column when its header is one of {@value #TIME_NAMES_TEXT} (case-insensitive) or when any of its
 * cells is not a number. Time stamps are kept as text. {@link #optNoTimeColumn()} treats every column as a
 * value.
 *
 * <p><b>Value columns.</b> All non-time columns by default, or the ones named with {@link #optValueColumns}
 * (in that order).
 *
 * <p><b>Several series in one file</b> (long format): {@link #optSeriesColumn} names a column of series ids; it is
 * neither a time nor a value column, every row belongs to the series its id names, and {@link Table#bySeries()}
 * splits the table, in order of first appearance.
 *
 * <p>Errors are {@link IllegalArgumentException}s that name the file, line (1-based, the header is line 1),
 * column and offending value.
 */
public final class SeriesCsvReader {
    static final String TIME_NAMES_TEXT = "date, time, timestamp, datetime, year, month, week, day, period";
    private static final Set<String> TIME_NAMES = Set.of("date", "time", "timestamp", "datetime", "year", "month",
            "week", "day", "period");
    // Possessive digit runs: with plain greedy ones, "\\d+\\.?\\d*" splits a long digit run that fails at its end in
    // every way before giving up, quadratic in the cell's length (make fuzz: a 139,305-character cell took minutes).
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d++(\\.\\d*+)?|\\.\\d++)([eE][+-]?\\d++)?");

    private String timeColumn;
    private boolean noTimeColumn;
    private List<String> valueColumns;
    private String seriesColumn;

    private SeriesCsvReader() {
    }

    /** A reader with the defaults (auto-detected time column, all other columns as values). */
    public static SeriesCsvReader reader() {
        return new SeriesCsvReader();
    }

    /** Reads {@code file} with the defaults. */
    public static Table read(Path file) {
        return reader().readFile(file);
    }

    /**
     * The column names of a CSV file (its header), for checking column options against them before reading.
     *
     * @throws IllegalArgumentException when the file has no header
     */
    public static List<String> header(Path file) {
        List<String> lines = Utf8Files.lines(Utf8Files.readStrict(file));
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new IllegalArgumentException(file + ": line 1: expected a header of column names but the "
                    + (lines.isEmpty() ? "file is empty" : "line is blank"));
        }
        return splitRow(lines.get(0), file.toString(), 1);
    }

    /** Uses the named column as the time column. */
    public SeriesCsvReader optTimeColumn(String name) {
        this.timeColumn = Objects.requireNonNull(name, "name");
        this.noTimeColumn = false;
        return this;
    }

    /** There is no time column: every column is a value column. */
    public SeriesCsvReader optNoTimeColumn() {
        this.noTimeColumn = true;
        this.timeColumn = null;
        return this;
    }

    /** The column of series ids, for a file that holds several series (long format). */
    public SeriesCsvReader optSeriesColumn(String name) {
        this.seriesColumn = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Reads only these value columns, in this order. */
    public SeriesCsvReader optValueColumns(String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("names: expected at least one value column");
        }
        this.valueColumns = List.of(names);
        return this;
    }

    /**
     * Reads the file.
     *
     * @throws IllegalArgumentException naming the file, line, column and value of the first problem
     * @throws java.io.UncheckedIOException when the file cannot be read
     */
    public Table readFile(Path file) {
        String text = Utf8Files.readStrict(file);
        List<String> lines = Utf8Files.lines(text);
        String where = file.toString();
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new IllegalArgumentException(where + ": line 1: expected a header of column names but the "
                    + (lines.isEmpty() ? "file is empty" : "line is blank"));
        }
        List<String> header = splitRow(lines.get(0), where, 1);
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).isEmpty()) {
                throw new IllegalArgumentException(where + ": line 1: column " + (i + 1) + " has an empty name");
            }
            if (header.indexOf(header.get(i)) != i) {
                throw new IllegalArgumentException(where + ": line 1: column name '" + header.get(i)
                        + "' appears twice");
            }
        }
        List<List<String>> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> cells = splitRow(lines.get(i), where, i + 1);
            if (cells.size() != header.size()) {
                throw new IllegalArgumentException(where + ": line " + (i + 1) + ": " + cells.size()
                        + " cells, expected " + header.size() + " as in the header " + header);
            }
            rows.add(cells);
            lineNumbers.add(i + 1);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(where + ": expected at least one data row after the header");
        }

        int seriesIndex = -1;
        if (seriesColumn != null) {
            seriesIndex = header.indexOf(seriesColumn);
            if (seriesIndex < 0) {
                throw new IllegalArgumentException(where + ": line 1: series column '" + seriesColumn
                        + "' not found; columns are " + header);
            }
        }
        int timeIndex = -1;
        if (timeColumn != null) {
            timeIndex = header.indexOf(timeColumn);
            if (timeIndex < 0) {
                throw new IllegalArgumentException(where + ": line 1: time column '" + timeColumn
                        + "' not found; columns are " + header);
            }
        } else if (!noTimeColumn && seriesIndex != 0 && looksLikeTime(header.get(0), rows)) {
            timeIndex = 0;
        } else if (!noTimeColumn && seriesIndex == 0 && header.size() > 1 && looksLikeTime(header.get(1),
                rows.stream().map(r -> r.subList(1, r.size())).toList())) {
            timeIndex = 1;
        }
        if (timeIndex >= 0 && timeIndex == seriesIndex) {
            throw new IllegalArgumentException(where + ": line 1: column '" + header.get(timeIndex)
                    + "' cannot be both the time column and the series column");
        }
        List<Integer> valueIndices = new ArrayList<>();
        if (valueColumns != null) {
            for (String name : valueColumns) {
                int i = header.indexOf(name);
                if (i < 0) {
                    throw new IllegalArgumentException(where + ": line 1: value column '" + name
                            + "' not found; columns are " + header);
                }
                if (i == timeIndex) {
                    throw new IllegalArgumentException(where + ": line 1: column '" + name
                            + "' is the time column and cannot also be a value column");
                }
                if (i == seriesIndex) {
                    throw new IllegalArgumentException(where + ": line 1: column '" + name
                            + "' is the series column and cannot also be a value column");
                }
                if (valueIndices.contains(i)) {
                    throw new IllegalArgumentException(where + ": line 1: value column '" + name
                            + "' is named twice");
                }
                valueIndices.add(i);
            }
        } else {
            for (int i = 0; i < header.size(); i++) {
                if (i != timeIndex && i != seriesIndex) {
                    valueIndices.add(i);
                }
            }
        }
        if (valueIndices.isEmpty()) {
            throw new IllegalArgumentException(where + ": no value column: the only column '" + header.get(0)
                    + "' is the time column");
        }

        double[][] values = new double[rows.size()][valueIndices.size()];
        List<String> stamps = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            List<String> cells = rows.get(r);
            if (seriesIndex >= 0) {
                String id = cells.get(seriesIndex);
                if (id.isEmpty()) {
                    throw new IllegalArgumentException(where + ": line " + lineNumbers.get(r) + ", column '"
                            + header.get(seriesIndex) + "': empty series id");
                }
                ids.add(id);
            }
            if (timeIndex >= 0) {
                String stamp = cells.get(timeIndex);
                if (stamp.isEmpty()) {
                    throw new IllegalArgumentException(where + ": line " + lineNumbers.get(r) + ", column '"
                            + header.get(timeIndex) + "': empty time stamp");
                }
                stamps.add(stamp);
            }
            for (int c = 0; c < valueIndices.size(); c++) {
                int i = valueIndices.get(c);
                String cell = cells.get(i);
                if (cell.isEmpty()) {
                    values[r][c] = Double.NaN;
                } else if (NUMBER.matcher(cell).matches()) {
                    values[r][c] = Double.parseDouble(cell);
                    if (Double.isInfinite(values[r][c])) {
                        throw new IllegalArgumentException(where + ": line " + lineNumbers.get(r) + ", column '"
                                + header.get(i) + "' (" + (i + 1) + "): " + quoted(cell)
                                + " is outside the range of a double (magnitude at most " + Double.MAX_VALUE + ")");
                    }
                } else {
                    throw new IllegalArgumentException(where + ": line " + lineNumbers.get(r) + ", column '"
                            + header.get(i) + "' (" + (i + 1) + "): " + quoted(cell) + " is not a number"
                            + " (expected a decimal number, or an empty cell for a missing value)");
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (int i : valueIndices) {
            names.add(header.get(i));
        }
        return new Table(where, timeIndex >= 0 ? Optional.of(header.get(timeIndex)) : Optional.empty(), stamps, names,
                values, seriesIndex >= 0 ? Optional.of(header.get(seriesIndex)) : Optional.empty(), ids);
    }

    /** A cell as an error quotes it: whole, or its first 40 characters and its length, so the error is one line. */
    private static String quoted(String cell) {
        return cell.length() <= 40 ? "'" + cell + "'" : "'" + cell.substring(0, 40) + "…' (" + cell.length()
                + " characters)";
    }

    private static boolean looksLikeTime(String name, List<List<String>> rows) {
        if (TIME_NAMES.contains(name.toLowerCase(Locale.ROOT))) {
            return true;
        }
        for (List<String> row : rows) {
            String cell = row.get(0);
            if (!cell.isEmpty() && !NUMBER.matcher(cell).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Splits one CSV line into trimmed cells, honouring double quotes. */
    static List<String> splitRow(String line, String where, int lineNumber) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"' && cell.toString().isBlank()) {
                quoted = true;
                cell.setLength(0);
            } else if (ch == ',') {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(where + ": line " + lineNumber + ": unterminated quoted field in: " + line);
        }
        cells.add(cell.toString().trim());
        return cells;
    }

    /**
     * A series table as read: time stamps kept as text, values in file order.
     *
     * @param source     the file the data came from (for messages)
     * @param timeColumn name of the time-stamp column, when there is one
     * @param timeStamps one per row (empty when there is no time column)
     * @param columns    names of the value columns
     * @param values     [row][column], NaN = missing; copied in and out
     * @param seriesColumn name of the series-id column, for a file of several series
     * @param seriesIds  one per row when there is a series column, else empty
     */
    public record Table(String source, Optional<String> timeColumn, List<String> timeStamps, List<String> columns,
                        double[][] values, Optional<String> seriesColumn, List<String> seriesIds) {
        /** Copies the lists and every row. */
        public Table {
            timeStamps = List.copyOf(timeStamps);
            columns = List.copyOf(columns);
            values = copy(values);
            seriesIds = List.copyOf(seriesIds);
            if (!seriesIds.isEmpty() && seriesIds.size() != values.length) {
                throw new IllegalArgumentException("seriesIds: expected " + values.length + " but got "
                        + seriesIds.size());
            }
        }

        /** A table of one series. */
        public Table(String source, Optional<String> timeColumn, List<String> timeStamps, List<String> columns,
                     double[][] values) {
            this(source, timeColumn, timeStamps, columns, values, Optional.empty(), List.of());
        }

        /**
         * The table split by series id, in order of first appearance (rows keep their file order); a table without
         * a series column is one series named {@code ""}.
         */
        public java.util.LinkedHashMap<String, Table> bySeries() {
            java.util.LinkedHashMap<String, Table> out = new java.util.LinkedHashMap<>();
            if (seriesIds.isEmpty()) {
                out.put("", this);
                return out;
            }
            java.util.LinkedHashMap<String, List<Integer>> rowsOf = new java.util.LinkedHashMap<>();
            for (int r = 0; r < seriesIds.size(); r++) {
                rowsOf.computeIfAbsent(seriesIds.get(r), k -> new ArrayList<>()).add(r);
            }
            rowsOf.forEach((id, rows) -> {
                List<String> stamps = new ArrayList<>();
                double[][] v = new double[rows.size()][];
                for (int i = 0; i < rows.size(); i++) {
                    v[i] = values[rows.get(i)];
                    if (!timeStamps.isEmpty()) {
                        stamps.add(timeStamps.get(rows.get(i)));
                    }
                }
                out.put(id, new Table(source + " (" + seriesColumn.orElse("series") + " " + id + ")", timeColumn,
                        stamps, columns, v, seriesColumn, java.util.Collections.nCopies(v.length, id)));
            });
            return out;
        }

        /** A copy of the values, [row][column]. */
        @Override
        public double[][] values() {
            return copy(values);
        }

        /** Number of rows. */
        public int length() {
            return values.length;
        }

        private static double[][] copy(double[][] rows) {
            double[][] out = new double[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                out[i] = rows[i].clone();
            }
            return out;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Table t && source.equals(t.source) && timeColumn.equals(t.timeColumn)
                    && timeStamps.equals(t.timeStamps) && columns.equals(t.columns)
                    && java.util.Arrays.deepEquals(values, t.values) && seriesColumn.equals(t.seriesColumn)
                    && seriesIds.equals(t.seriesIds);
        }

        @Override
        public int hashCode() {
            return Objects.hash(source, timeColumn, timeStamps, columns, java.util.Arrays.deepHashCode(values),
                    seriesColumn, seriesIds);
        }

        @Override
        public String toString() {
            return "Table[" + source + ", " + values.length + " rows, columns " + columns + "]";
        }
    }
}
