package io.stepwise.training.tasks.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which columns of a CSV a forecaster reads: the target it forecasts, covariates read alongside it, the time-stamp
 * column and, for a file of several series, the series-id column. {@code null} / empty = not given: the time column
 * is then auto-detected (and said), the target is the only value column (several refuse, never guess) and there
 * are no covariates.
 *
 * @param target   the column to forecast, or null
 * @param features covariate columns, possibly empty
 * @param time     the time-stamp column, or null
 * @param series   the series-id column, or null
 * @param known    the covariates whose future values are known in advance (calendar, planned prices): given at
 *                 forecast time instead of forecast; a subset of {@code features}, possibly empty
 */
public record ForecastColumns(String target, List<String> features, String time, String series,
                              List<String> known) {
    /** Nothing named: auto-detected time column, the single value column as target. */
    public static final ForecastColumns DEFAULT = new ForecastColumns(null, List.of(), null, null);

    /** Columns without covariates known in advance. */
    public ForecastColumns(String target, List<String> features, String time, String series) {
        this(target, features, time, series, List.of());
    }

    public ForecastColumns {
        features = features == null ? List.of() : List.copyOf(features);
        known = known == null ? List.of() : List.copyOf(known);
        for (String k : known) {
            if (!features.contains(k)) {
                List<String> covariates = features;
                throw new InvalidSettingException(Setting.KNOWN_FEATURES, names -> "'" + k + "' is not one of the "
                        + "covariates " + covariates + " (" + names.apply(Setting.FEATURES) + "); a column known in "
                        + "advance must be read by the model as a covariate too");
            }
        }
        if (target == null && !features.isEmpty()) {
            List<String> named = features;
            throw new InvalidSettingException(Setting.FEATURES, names -> "covariates " + named + " need "
                    + names.apply(Setting.TARGET) + ", the column they help to forecast");
        }
    }

    /** The columns as recorded in a model's evaluation protocol (only the given ones). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (target != null) {
            m.put("target", target);
        }
        if (!features.isEmpty()) {
            m.put("features", features);
        }
        if (time != null) {
            m.put("time", time);
        }
        if (series != null) {
            m.put("series", series);
        }
        if (!known.isEmpty()) {
            m.put("known_features", known);
        }
        return m;
    }

    /** The columns recorded in a protocol; a protocol without them (older models) gives {@link #DEFAULT}. */
    public static ForecastColumns from(Map<String, Object> protocol) {
        Object features = protocol.get("features");
        List<String> names = new ArrayList<>();
        if (features instanceof List<?> l) {
            l.forEach(o -> names.add(String.valueOf(o)));
        }
        List<String> known = new ArrayList<>();
        if (protocol.get("known_features") instanceof List<?> l) {
            l.forEach(o -> known.add(String.valueOf(o)));
        }
        return new ForecastColumns(text(protocol.get("target")), names, text(protocol.get("time")),
                text(protocol.get("series")), known);
    }

    private static String text(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
