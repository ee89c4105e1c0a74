package io.stepwise.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a classification CSV of {@code text,label} rows.
 *
 * <p>Format: strict UTF-8; the first line is a header that names a {@code text} column and a {@code label} column
 * (any order, names matched without regard to case; other columns are ignored). Cells are separated by commas and
 * may be wrapped in double quotes, inside which commas are kept and {@code ""} is one quote, so multi-word texts
 * such as {@code "good morning, everyone"} are one cell; a quoted cell ends on its own line. Cells are trimmed;
 * blank lines are skipped; a text may hold inner spaces. Every error names the file, the 1-based line and the
 * column: a row with too few cells, an empty text or label, an unterminated quote, a text longer than
 * {@value #MAX_TEXT_CHARS} characters.
 */
public final class LabelledTextCsv {
    /** Longest text of one row, in characters (a classifier reads it one character at a time). */
    public static final int MAX_TEXT_CHARS = 2_000;

    /**
     * One row.
     *
     * @param text  the text
     * @param label its label
     * @param line  the 1-based line it came from
     */
    public record Row(String text, String label, int line) {
    }

    private LabelledTextCsv() {
    }

    /**
     * Reads every row of {@code file}.
     *
     * @throws IllegalArgumentException naming the file, line and column of the first problem
     */
    public static List<Row> read(Path file) {
        List<String> lines = TextFiles.lines(TextFiles.readUtf8Strict(file));
        int header = 0;
        while (header < lines.size() && lines.get(header).isBlank()) {
            header++;
        }
        if (header == lines.size()) {
            throw new IllegalArgumentException(file + ": the file is empty; expected a header line naming the text "
                    + "and label columns, e.g. text,label");
        }
        List<String> names = split(lines.get(header), file, header + 1);
        int text = column(names, "text", file, header + 1);
        int label = column(names, "label", file, header + 1);
        List<Row> rows = new ArrayList<>();
        for (int i = header + 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> cells = split(lines.get(i), file, i + 1);
            if (cells.size() <= Math.max(text, label)) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + ": expected " + names.size()
                        + " columns (" + String.join(",", names) + ") but got " + cells.size());
            }
            String t = cells.get(text);
            String l = cells.get(label);
            if (t.isEmpty()) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + ", column '" + names.get(text)
                        + "': the text is empty");
            }
            if (l.isEmpty()) {
                throw new IllegalArgumentException(file + ": line " + (i + 1) + ", column '" + names.get(label)
                        + "': the label is empty");
            }
            if (t.codePointCount(0, t.length()) > MAX_TEXT_CHARS) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: line %d, column '%s': the text has "
                        + "%,d characters; the limit is %,d", file, i + 1, names.get(text),
                        t.codePointCount(0, t.length()), MAX_TEXT_CHARS));
            }
            rows.add(new Row(t, l, i + 1));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + ": the file has a header but no rows");
        }
        return rows;
    }

    private static int column(List<String> names, String wanted, Path file, int line) {
        int found = -1;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(wanted)) {
                if (found >= 0) {
                    throw new IllegalArgumentException(file + ": line " + line + ": the header names the column '"
                            + wanted + "' twice");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException(file + ": line " + line + ": the header has no '" + wanted
                    + "' column; columns are " + names + " (expected text and label)");
        }
        return found;
    }

    /** Splits one line into trimmed cells, honouring double quotes. */
    static List<String> split(String line, Path file, int lineNumber) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && cell.toString().isBlank()) {
                quoted = true;
                wasQuoted = true;
                cell.setLength(0);
            } else if (wasQuoted && c != ',') {
                if (!Character.isWhitespace(c)) {
                    throw new IllegalArgumentException(file + ": line " + lineNumber + ", column " + (cells.size() + 1)
                            + ": unexpected '" + c + "' after a closing quote");
                }
            } else if (c == ',') {
                cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
                cell.setLength(0);
                wasQuoted = false;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException(file + ": line " + lineNumber + ", column " + (cells.size() + 1)
                    + ": unterminated quoted field (a quoted cell must end on its own line)");
        }
        cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
        return cells;
    }
}
