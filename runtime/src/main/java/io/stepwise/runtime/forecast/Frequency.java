package io.stepwise.runtime.forecast;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How far apart the rows of a regular series are: the frequencies Stepwise detects, stores in a forecaster
 * ({@code stepwise.frequency}) and steps forecast dates by.
 *
 * <p>Each frequency numbers its periods ({@link #period(LocalDate)}), so that two dates in the same period are
 * duplicates and a jump of more than one period is a gap, however the dates inside a period are written (the 1st or
 * the 15th of a month, any day of a week).
 */
public enum Frequency {
    /** One row a day; a season of 7 (a week). */
    DAILY("daily", 7, 1),
    /** One row a week (Monday to Sunday); a season of 52. */
    WEEKLY("weekly", 52, 7),
    /** One row a calendar month; a season of 12. */
    MONTHLY("monthly", 12, 30.44),
    /** One row a calendar quarter; a season of 4. */
    QUARTERLY("quarterly", 4, 91.31),
    /** One row a calendar year; no season (1). */
    YEARLY("yearly", 1, 365.25);

    private final String wireName;
    private final int season;
    private final double days;

    Frequency(String wireName, int season, double days) {
        this.wireName = wireName;
        this.season = season;
        this.days = days;
    }

    /** The name in model files and on the command line, e.g. {@code monthly}. */
    public String wireName() {
        return wireName;
    }

    /** Periods in the usual season: 7 days, 52 weeks, 12 months, 4 quarters, 1 (no season) for years. */
    public int season() {
        return season;
    }

    /** The frequency named {@code name} (its {@link #wireName()}, case-insensitive). */
    public static Frequency fromWireName(String name) {
        for (Frequency f : values()) {
            if (f.wireName.equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("frequency: expected one of " + names() + " but got '" + name + "'");
    }

    /** Every wire name, for messages. */
    public static List<String> names() {
        return Arrays.stream(values()).map(Frequency::wireName).toList();
    }

    /** The number of the period holding {@code date}: consecutive periods have consecutive numbers. */
    public long period(LocalDate date) {
        return switch (this) {
            case DAILY -> date.toEpochDay();
            // ISO weeks start on Monday; epoch day 4 (1970-01-05) is a Monday.
            case WEEKLY -> Math.floorDiv(date.toEpochDay() - 4, 7);
            case MONTHLY -> date.getYear() * 12L + date.getMonthValue() - 1;
            case QUARTERLY -> date.getYear() * 4L + date.get(IsoFields.QUARTER_OF_YEAR) - 1;
            case YEARLY -> date.getYear();
        };
    }

    /** {@code date} moved {@code steps} periods on (negative = back), keeping its place inside the period. */
    public LocalDate plus(LocalDate date, long steps) {
        return switch (this) {
            case DAILY -> date.plusDays(steps);
            case WEEKLY -> date.plusWeeks(steps);
            case MONTHLY -> date.plusMonths(steps);
            case QUARTERLY -> date.plusMonths(3 * steps);
            case YEARLY -> date.plusYears(steps);
        };
    }

    /**
     * The frequency of sorted dates, from the median spacing between distinct consecutive dates: about 1 day, 7
     * days, a month (28–31 days), a quarter (89–92) or a year (365–366).
     *
     * @return empty when there are fewer than two distinct dates or the spacing matches none of them
     */
    public static Optional<Frequency> detect(List<LocalDate> sortedDates) {
        List<Long> steps = new ArrayList<>();
        for (int i = 1; i < sortedDates.size(); i++) {
            long d = ChronoUnit.DAYS.between(sortedDates.get(i - 1), sortedDates.get(i));
            if (d > 0) {
                steps.add(d);
            }
        }
        if (steps.isEmpty()) {
            return Optional.empty();
        }
        steps.sort(null);
        long median = steps.get(steps.size() / 2);
        for (Frequency f : values()) {
            if (Math.abs(median - f.days) <= Math.max(0.5, f.days * 0.04)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** Typical days per period. */
    public double days() {
        return days;
    }

    @Override
    public String toString() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
