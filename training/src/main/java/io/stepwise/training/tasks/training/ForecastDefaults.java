package io.stepwise.training.tasks.training;

import io.stepwise.runtime.forecast.Frequency;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import java.util.Locale;
import java.util.Optional;

/**
 * A forecaster's settings derived from its data: the frequency gives the season and the usual horizon and window,
 * the length decides how much can be held out. Weekly CO2 (2,284 rows) gets season 52, window 104, horizon 26 and
 * two years each of validation and test — the settings it always had, now as what the data implies.
 *
 * <table>
 *   <caption>Per frequency (before shortening for a short series)</caption>
 *   <tr><th>frequency</th><th>season</th><th>horizon</th><th>window</th><th>validation = test</th></tr>
 *   <tr><td>daily</td><td>7</td><td>14</td><td>28</td><td>28</td></tr>
 *   <tr><td>weekly</td><td>52</td><td>26</td><td>104</td><td>104</td></tr>
 *   <tr><td>monthly</td><td>12</td><td>12</td><td>24</td><td>24</td></tr>
 *   <tr><td>quarterly</td><td>4</td><td>8</td><td>16</td><td>16</td></tr>
 *   <tr><td>yearly</td><td>1</td><td>6</td><td>12</td><td>12</td></tr>
 *   <tr><td>no time column</td><td>1</td><td>8</td><td>16</td><td>16</td></tr>
 * </table>
 * Validation and test are each max(2 × horizon, 2 × season) long, so that both hold several forecast origins. A
 * series too short for these first gets validation and test of one horizon each, then a shorter window (down to
 * max(2, season)), then a shorter horizon, until the training part holds at least {@value #MIN_WINDOWS} training
 * windows; a series too short even then is refused with the number of rows needed. Settings given explicitly are
 * kept as given. The scaling headroom is {@value #HEADROOM} (trending series stay in the cells' near-linear range);
 * the settings search ({@link ForecastSearch}) also tries 1.
 *
 * <p><b>Epochs</b> follow from the number of training windows, so that a short series gets as many optimiser steps
 * as a long one: about {@value #STEPS} steps (windows / batch size per epoch), at least {@value #MIN_EPOCHS} and at
 * most {@value #MAX_EPOCHS} epochs. Weekly CO2 has 61 batches per epoch, hence its 20 epochs. Several series of one
 * global model: the settings must fit the shortest series, and the windows of all of them count.
 *
 * @param season           seasonal-naive season and MASE scale
 * @param window           rows read before each forecast
 * @param horizon          steps forecast
 * @param validationLength validation rows
 * @param testLength       held-out test rows
 * @param scaleHeadroom    stored std = training std × this
 * @param epochs           training epochs
 */
public record ForecastDefaults(int season, int window, int horizon, int validationLength, int testLength,
                               double scaleHeadroom, int epochs) {
    /** Optimiser steps the derived epochs aim at. */
    public static final int STEPS = 1200;
    /** Fewest derived epochs. */
    public static final int MIN_EPOCHS = 20;
    /** Most derived epochs. */
    public static final int MAX_EPOCHS = 300;
    /** Fewest training windows a series must leave. */
    public static final int MIN_WINDOWS = 8;
    /** Default scaling headroom. */
    public static final double HEADROOM = 4.0;

    /**
     * The settings for {@code rows} rows of {@code frequency}, keeping the given (non-null) ones.
     *
     * @throws InvalidSettingException (data) when the series is too short for any forecaster
     */
    public static ForecastDefaults derive(Optional<Frequency> frequency, int rows, String source, Integer season,
                                          Integer window, Integer horizon, Integer validationLength,
                                          Integer testLength, Double scaleHeadroom, Integer epochs,
                                          int batchSize) {
        return derive(frequency, new int[] {rows}, source, season, window, horizon, validationLength, testLength,
                scaleHeadroom, epochs, batchSize);
    }

    /**
     * The settings for several series of one global model, of {@code lengths} rows each: they must fit the shortest,
     * and the epochs follow from the training windows of all of them together.
     */
    public static ForecastDefaults derive(Optional<Frequency> frequency, int[] lengths, String source,
                                          Integer season, Integer window, Integer horizon, Integer validationLength,
                                          Integer testLength, Double scaleHeadroom, Integer epochs,
                                          int batchSize) {
        int rows = java.util.Arrays.stream(lengths).min().orElse(0);
        int s = season != null ? season : frequency.map(Frequency::season).orElse(1);
        int h = horizon != null ? horizon : frequency.map(f -> switch (f) {
            case DAILY -> 14;
            case WEEKLY -> 26;
            case MONTHLY -> 12;
            case QUARTERLY -> 8;
            case YEARLY -> 6;
        }).orElse(8);
        int w = window != null ? window : Math.max(2 * s, 2 * h);
        int held = Math.max(2 * h, 2 * s);
        int v = validationLength != null ? validationLength : held;
        int t = testLength != null ? testLength : held;
        while (!fits(rows, s, w, h, v, t)) {
            if ((validationLength == null && v > h) || (testLength == null && t > h)) {
                v = validationLength == null ? h : v;
                t = testLength == null ? h : t;
            } else if (window == null && w > Math.max(2, s)) {
                w = Math.max(Math.max(2, s), w / 2);
            } else if (horizon == null && h > 1) {
                h--;
                v = validationLength == null ? h : v;
                t = testLength == null ? h : t;
            } else {
                int need = needed(s, w, h, v, t);
                throw new InvalidSettingException(Setting.DATA, source + " has " + rows + " rows (after gaps are "
                        + "filled); with season " + s + ", window " + w + ", horizon " + h + ", validation " + v
                        + " and test " + t + " a forecaster needs at least " + need);
            }
        }
        int windows = 0;
        for (int length : lengths) {
            windows += length - v - t - (w + h) + 1;
        }
        int batches = (windows + batchSize - 1) / batchSize;
        int e = epochs != null ? epochs
                : Math.min(MAX_EPOCHS, Math.max(MIN_EPOCHS, (STEPS + batches - 1) / batches));
        return new ForecastDefaults(s, w, h, v, t, scaleHeadroom != null ? scaleHeadroom : HEADROOM, e);
    }

    private static boolean fits(int rows, int s, int w, int h, int v, int t) {
        return rows >= needed(s, w, h, v, t);
    }

    /** Rows needed: the training windows, the MASE scale's season, and the held-out parts. */
    static int needed(int s, int w, int h, int v, int t) {
        return Math.max(w + h + MIN_WINDOWS - 1, w + s + 1) + v + t;
    }

    /** e.g. {@code season 12, window 24, horizon 12, validation 24, test 24, scale headroom 4.0}. */
    public String describe() {
        return String.format(Locale.ROOT, "season %d, window %d, horizon %d, validation %d, test %d, "
                + "scale headroom %s, epochs %d", season, window, horizon, validationLength, testLength,
                scaleHeadroom, epochs);
    }
}
