package io.stepwise.cli;

import io.stepwise.runtime.forecast.Frequency;
import io.stepwise.runtime.forecast.TimeStampFormat;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Puts the rows of a dated series on a regular time grid, checking its time stamps on the way, so that a forecaster
 * is trained on (and forecasts from) one row per period, oldest first:
 * <ol>
 *   <li><b>parsed</b>: every stamp must have the format of the first ({@link TimeStampFormat}: {@code 2024-03-31},
 *       {@code 2024-03}, {@code 2024-Q1}, {@code 2024}) and be a real date; the first that does not is named;</li>
 *   <li><b>order</b>: rows newest first are reversed, rows out of order are sorted, and the report says which;</li>
 *   <li><b>frequency</b>: implied by the format (a month, a quarter, a year) or detected from the median spacing of
 *       dates ({@link Frequency#detect}); a spacing that is none of daily, weekly, monthly, quarterly or yearly is
 *       refused;</li>
 *   <li><b>duplicates</b>: two rows in the same period are refused, naming both stamps;</li>
 *   <li><b>gaps</b>: a missing period gets a row of missing values (NaN, interpolated later like any missing value)
 *       and is counted in the report.</li>
 * </ol>
 * Errors are {@link IllegalArgumentException}s naming the source, the time column and the offending stamps.
 */
public final class TimeIndex {
    /** At most this many gaps are listed by name in a report. */
    static final int LISTED_GAPS = 5;

    private TimeIndex() {
    }

    /** Row order as found in the file. */
    public enum Order {
        OLDEST_FIRST("oldest first"),
        NEWEST_FIRST("newest first: reversed"),
        UNSORTED("out of order: sorted");

        private final String text;

        Order(String text) {
            this.text = text;
        }

        /** e.g. {@code newest first: reversed}. */
        public String text() {
            return text;
        }
    }

    /**
     * What regularising found and did.
     *
     * @param frequency    the rows' frequency
     * @param format       how the stamps are written
     * @param order        the order the rows came in
     * @param insertedRows rows inserted for missing periods
     * @param firstGaps    the stamps of the first inserted rows (at most {@value #LISTED_GAPS})
     */
    public record Report(Frequency frequency, TimeStampFormat format, Order order, int insertedRows,
                         List<String> firstGaps) {
        public Report {
            firstGaps = List.copyOf(firstGaps);
        }

        /** One line, e.g. {@code monthly, oldest first, 2 missing rows inserted (1960-04, 1960-05)}. */
        public String describe() {
            return frequency.wireName() + ", " + order.text() + ", " + (insertedRows == 0 ? "no gaps"
                    : insertedRows + " missing row" + (insertedRows == 1 ? "" : "s") + " inserted and interpolated ("
                    + String.join(", ", firstGaps) + (insertedRows > firstGaps.size() ? ", …" : "") + ")");
        }
    }

    /**
     * A regular series: one row per period, oldest first.
     *
     * @param timeStamps one per row, in the file's format (inserted rows get a stamp in that format)
     * @param values     [row][column], NaN = missing (every value of an inserted row)
     * @param inserted   which rows were inserted for a missing period
     * @param report     what was found and done
     */
    public record Regular(List<String> timeStamps, double[][] values, boolean[] inserted, Report report) {
        /** Copies the stamps, every row of values and the inserted flags. */
        public Regular {
            timeStamps = List.copyOf(timeStamps);
            values = copy(values);
            inserted = inserted.clone();
        }

        /** A copy of the values, [row][column]. */
        @Override
        public double[][] values() {
            return copy(values);
        }

        /** A copy of the flags: which rows were inserted for a missing period. */
        @Override
        public boolean[] inserted() {
            return inserted.clone();
        }

        private static double[][] copy(double[][] rows) {
            double[][] c = new double[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                c[i] = rows[i].clone();
            }
            return c;
        }

        /** The last time stamp. */
        public String last() {
            return timeStamps.get(timeStamps.size() - 1);
        }
    }

    /**
     * Regularises one series.
     *
     * @param source     file (and series) for messages
     * @param timeColumn the time column's name, for messages
     * @param stamps     one per row, file order
     * @param values     [row][column], file order
     * @param expected   the frequency the rows must have (a trained model's), or empty to detect it
     */
    public static Regular regularize(String source, String timeColumn, List<String> stamps, double[][] values,
                                     Optional<Frequency> expected) {
        if (stamps.size() != values.length) {
            throw new IllegalArgumentException("stamps: expected " + values.length + " but got " + stamps.size());
        }
        if (stamps.isEmpty()) {
            throw new IllegalArgumentException(source + ": no rows");
        }
        String where = source + ", time column '" + timeColumn + "'";
        TimeStampFormat format = TimeStampFormat.of(stamps.get(0)).orElseThrow(() -> new IllegalArgumentException(
                where + ": '" + stamps.get(0) + "' (row 1) is not a time stamp; expected a date such as 2024-03-31, "
                        + "a month such as 2024-03, a quarter such as 2024-Q1 or a year such as 2024"));
        LocalDate[] dates = new LocalDate[stamps.size()];
        for (int i = 0; i < dates.length; i++) {
            try {
                dates[i] = format.parse(stamps.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": '" + stamps.get(i) + "' (row " + (i + 1) + ") is not "
                        + format.example() + " like the first row's '" + stamps.get(0) + "'", e);
            }
        }
        Integer[] order = new Integer[dates.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Order found = orderOf(dates);
        Arrays.sort(order, Comparator.comparing((Integer i) -> dates[i]).thenComparing(i -> i));
        List<LocalDate> sorted = new ArrayList<>();
        for (Integer i : order) {
            sorted.add(dates[i]);
        }
        Frequency frequency = format.impliedFrequency().or(() -> Frequency.detect(sorted)).orElseThrow(() ->
                new IllegalArgumentException(where + ": " + spacing(sorted) + "; expected daily, weekly, monthly, "
                        + "quarterly or yearly rows"));
        if (expected.isPresent() && expected.get() != frequency) {
            throw new IllegalArgumentException(where + ": the rows are " + frequency.wireName() + " but the model was "
                    + "trained on " + expected.get().wireName() + " data");
        }
        List<String> outStamps = new ArrayList<>();
        List<double[]> outRows = new ArrayList<>();
        List<Boolean> inserted = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        int insertedRows = 0;
        for (int k = 0; k < order.length; k++) {
            int i = order[k];
            if (k > 0) {
                int previous = order[k - 1];
                long jump = frequency.period(dates[i]) - frequency.period(dates[previous]);
                if (jump == 0) {
                    throw new IllegalArgumentException(where + ": rows " + (previous + 1) + " ('"
                            + stamps.get(previous) + "') and " + (i + 1) + " ('" + stamps.get(i) + "') fall in the "
                            + "same " + period(frequency) + "; each " + period(frequency) + " may appear once");
                }
                for (long g = 1; g < jump; g++) {
                    String stamp = format.format(frequency.plus(dates[previous], g));
                    outStamps.add(stamp);
                    double[] empty = new double[values[i].length];
                    Arrays.fill(empty, Double.NaN);
                    outRows.add(empty);
                    inserted.add(true);
                    if (gaps.size() < LISTED_GAPS) {
                        gaps.add(stamp);
                    }
                    insertedRows++;
                }
            }
            outStamps.add(stamps.get(i));
            outRows.add(values[i].clone());
            inserted.add(false);
        }
        boolean[] flags = new boolean[inserted.size()];
        for (int i = 0; i < flags.length; i++) {
            flags[i] = inserted.get(i);
        }
        return new Regular(outStamps, outRows.toArray(double[][]::new), flags,
                new Report(frequency, format, found, insertedRows, gaps));
    }

    private static Order orderOf(LocalDate[] dates) {
        boolean ascending = true;
        boolean descending = true;
        for (int i = 1; i < dates.length; i++) {
            int c = dates[i].compareTo(dates[i - 1]);
            ascending &= c >= 0;
            descending &= c <= 0;
        }
        return ascending ? Order.OLDEST_FIRST : descending ? Order.NEWEST_FIRST : Order.UNSORTED;
    }

    private static String spacing(List<LocalDate> sorted) {
        if (sorted.size() < 2 || sorted.get(0).equals(sorted.get(sorted.size() - 1))) {
            return "a single date cannot show how far apart the rows are";
        }
        List<Long> steps = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            long d = ChronoUnit.DAYS.between(sorted.get(i - 1), sorted.get(i));
            if (d > 0) {
                steps.add(d);
            }
        }
        steps.sort(null);
        return "consecutive rows are a median " + steps.get(steps.size() / 2) + " days apart";
    }

    private static String period(Frequency frequency) {
        return switch (frequency) {
            case DAILY -> "day";
            case WEEKLY -> "week";
            case MONTHLY -> "month";
            case QUARTERLY -> "quarter";
            case YEARLY -> "year";
        };
    }
}
