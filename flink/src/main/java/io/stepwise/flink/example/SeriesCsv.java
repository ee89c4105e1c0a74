package io.stepwise.flink.example;

import io.stepwise.flink.StepEvent;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The example's line format: {@code series,date,value[,value…]} with a header line; the date is ISO
 * ({@code 2020-01-04}, midnight UTC) or epoch milliseconds; an empty value is a missing observation (NaN, which the
 * operator refuses to its side output). One instance per job; stateless.
 */
final class SeriesCsv {
    private SeriesCsv() {
    }

    /** Whether {@code line} is the header (its second column is not a time). */
    static boolean isHeader(String line) {
        String[] cols = line.split(",", -1);
        return cols.length >= 2 && !cols[1].isEmpty() && !Character.isDigit(cols[1].charAt(0));
    }

    /**
     * One event from one line.
     *
     * @throws IllegalArgumentException naming the column and value when the line does not parse
     */
    static StepEvent parse(String line) {
        String[] cols = line.split(",", -1);
        if (cols.length < 3) {
            throw new IllegalArgumentException("expected series,date,value but got " + cols.length + " column(s)");
        }
        String series = cols[0].trim();
        if (series.isEmpty()) {
            throw new IllegalArgumentException("series: empty");
        }
        long time = time(cols[1].trim());
        double[] values = new double[cols.length - 2];
        for (int i = 2; i < cols.length; i++) {
            String v = cols[i].trim();
            try {
                values[i - 2] = v.isEmpty() ? Double.NaN : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("value " + (i - 2) + ": expected a number but got '" + v + "'");
            }
        }
        return StepEvent.observation(series, time, values);
    }

    private static long time(String s) {
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            return Long.parseLong(s);
        }
        try {
            return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("date: expected an ISO date (2020-01-04) or epoch milliseconds but got '"
                    + s + "'");
        }
    }

    /** An ISO date for epoch milliseconds at midnight UTC, else the milliseconds. */
    static String date(long millis) {
        return millis % 86_400_000L == 0 ? LocalDate.ofEpochDay(millis / 86_400_000L).toString()
                : Long.toString(millis);
    }

    /** A number for the output CSV: fixed precision, empty for NaN. */
    static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
