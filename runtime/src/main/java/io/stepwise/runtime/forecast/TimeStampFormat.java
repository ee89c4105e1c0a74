package io.stepwise.runtime.forecast;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.temporal.IsoFields;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ways a series' time stamps may be written, so that a forecast's dates are written the way the history's
 * were: {@code 2024-03-31} (also {@code 2024/03/31}, and a time of day after the date, which is ignored),
 * {@code 2024-03} (a month), {@code 2024-Q1} (also {@code 2024Q1}, {@code 2024 Q1}) and {@code 2024} (a year).
 */
public enum TimeStampFormat {
    /** {@code yyyy-MM-dd}. */
    DATE(Pattern.compile("(\\d{4})[-/](\\d{1,2})[-/](\\d{1,2})([ T].*)?")),
    /** {@code yyyy-MM}: a month. */
    MONTH(Pattern.compile("(\\d{4})[-/](\\d{1,2})")),
    /** {@code yyyy-Qn}: a quarter. */
    QUARTER(Pattern.compile("(\\d{4})[- ]?[Qq]([1-4])")),
    /** {@code yyyy}: a year. */
    YEAR(Pattern.compile("(\\d{4})"));

    private final Pattern pattern;

    TimeStampFormat(Pattern pattern) {
        this.pattern = pattern;
    }

    /** The format of {@code stamp}, when it has one of these shapes and is a real date. */
    public static Optional<TimeStampFormat> of(String stamp) {
        for (TimeStampFormat f : values()) {
            if (f.pattern.matcher(stamp.trim()).matches()) {
                try {
                    f.parse(stamp);
                    return Optional.of(f);
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The date of {@code stamp}: the first day of a month, quarter or year.
     *
     * @throws IllegalArgumentException when the stamp does not have this format or is not a real date
     */
    public LocalDate parse(String stamp) {
        Matcher m = pattern.matcher(stamp.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("time stamp: expected " + example() + " but got '" + stamp + "'");
        }
        try {
            int year = Integer.parseInt(m.group(1));
            return switch (this) {
                case DATE -> LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
                case MONTH -> LocalDate.of(year, Integer.parseInt(m.group(2)), 1);
                case QUARTER -> LocalDate.of(year, 3 * Integer.parseInt(m.group(2)) - 2, 1);
                case YEAR -> LocalDate.of(year, 1, 1);
            };
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("time stamp: '" + stamp + "' is not a date (" + e.getMessage() + ")",
                    e);
        }
    }

    /** {@code date} written in this format. */
    public String format(LocalDate date) {
        return switch (this) {
            case DATE -> date.toString();
            case MONTH -> String.format(Locale.ROOT, "%04d-%02d", date.getYear(), date.getMonthValue());
            case QUARTER -> String.format(Locale.ROOT, "%04d-Q%d", date.getYear(),
                    date.get(IsoFields.QUARTER_OF_YEAR));
            case YEAR -> String.format(Locale.ROOT, "%04d", date.getYear());
        };
    }

    /** An example of the format, for messages. */
    public String example() {
        return switch (this) {
            case DATE -> "a date such as 2024-03-31";
            case MONTH -> "a month such as 2024-03";
            case QUARTER -> "a quarter such as 2024-Q1";
            case YEAR -> "a year such as 2024";
        };
    }

    /** The frequency this format implies on its own (a month stamp is monthly...), if any. */
    public Optional<Frequency> impliedFrequency() {
        return switch (this) {
            case DATE -> Optional.empty();
            case MONTH -> Optional.of(Frequency.MONTHLY);
            case QUARTER -> Optional.of(Frequency.QUARTERLY);
            case YEAR -> Optional.of(Frequency.YEARLY);
        };
    }

    /**
     * The {@code count} time stamps after {@code last}, one period of {@code frequency} apart, in the format of
     * {@code last}.
     *
     * @throws IllegalArgumentException when {@code last} is not a time stamp of a known format
     */
    public static java.util.List<String> after(String last, Frequency frequency, int count) {
        TimeStampFormat format = of(last).orElseThrow(() -> new IllegalArgumentException("time stamp: '" + last
                + "' is not a date such as 2024-03-31, 2024-03, 2024-Q1 or 2024"));
        LocalDate date = format.parse(last);
        java.util.List<String> out = new java.util.ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            out.add(format.format(frequency.plus(date, i)));
        }
        return out;
    }
}
