package io.stepwise.cli;

import io.stepwise.runtime.forecast.Forecast;
import io.stepwise.runtime.forecast.PredictionInterval;
import java.util.List;
import java.util.Locale;

/** How {@code stepwise forecast} writes a forecast: an aligned table, CSV (one row per step) or JSON. */
final class ForecastOutput {
    private ForecastOutput() {
    }

    /** Column names per feature: the value, then lower/upper of each interval, e.g. {@code co2_lo80}. */
    private static List<String> header(Forecast f) {
        List<String> names = new java.util.ArrayList<>();
        names.add(f.dates().isEmpty() ? "step" : "date");
        for (String feature : f.featureNames()) {
            names.add(feature);
            for (PredictionInterval i : f.intervals()) {
                String level = i.label().replace("%", "");
                names.add(feature + "_lo" + level);
                names.add(feature + "_hi" + level);
            }
        }
        return names;
    }

    private static List<String> row(Forecast f, int h) {
        List<String> cells = new java.util.ArrayList<>();
        cells.add(f.dates().isEmpty() ? "+" + (h + 1) : f.dates().get(h));
        for (int feature = 0; feature < f.featureNames().size(); feature++) {
            cells.add(number(f.value(h + 1, feature)));
            for (PredictionInterval i : f.intervals()) {
                cells.add(number(i.lower(h + 1, feature)));
                cells.add(number(i.upper(h + 1, feature)));
            }
        }
        return cells;
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String table(Forecast f) {
        List<String> header = header(f);
        int[] widths = new int[header.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = header.get(c).length();
            for (int h = 0; h < f.horizon(); h++) {
                widths[c] = Math.max(widths[c], row(f, h).get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, widths);
        for (int h = 0; h < f.horizon(); h++) {
            line(sb, row(f, h), widths);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] widths) {
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            if (c == 0) {
                sb.append(cell).append(" ".repeat(widths[c] - cell.length()));
            } else {
                sb.append("  ").append(" ".repeat(widths[c] - cell.length())).append(cell);
            }
        }
        sb.append(System.lineSeparator());
    }

    static String csv(Forecast f) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", header(f).stream().map(ForecastOutput::csvCell).toList())).append('\n');
        for (int h = 0; h < f.horizon(); h++) {
            sb.append(String.join(",", row(f, h).stream().map(ForecastOutput::csvCell).toList())).append('\n');
        }
        return sb.toString();
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** CSV of several series' forecasts, the series key first in every row ({@code seriesColumn} null: one). */
    static String csv(List<Forecast> forecasts, String seriesColumn) {
        if (seriesColumn == null) {
            return csv(forecasts.get(0));
        }
        StringBuilder sb = new StringBuilder();
        sb.append(csvCell(seriesColumn)).append(',').append(String.join(",", header(forecasts.get(0)).stream()
                .map(ForecastOutput::csvCell).toList())).append('\n');
        for (Forecast f : forecasts) {
            String key = csvCell(f.seriesKey().orElse(""));
            for (int h = 0; h < f.horizon(); h++) {
                sb.append(key).append(',').append(String.join(",", row(f, h).stream().map(ForecastOutput::csvCell)
                        .toList())).append('\n');
            }
        }
        return sb.toString();
    }

    /** A forecast with the last time stamp and frequency of its history. */
    record Dated(Forecast forecast, String last, String frequency) {
    }

    /** JSON of several series' forecasts: {@code {"model":…,"series_column":…,"series":[{"series":key,…},…]}}. */
    static String json(List<Dated> forecasts, String model, String seriesColumn) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"model\":").append(string(model));
        sb.append(",\"series_column\":").append(string(seriesColumn));
        sb.append(",\"series\":[");
        for (int i = 0; i < forecasts.size(); i++) {
            Dated d = forecasts.get(i);
            sb.append(i > 0 ? "," : "").append("{\"series\":").append(string(d.forecast().seriesKey().orElse("")));
            body(sb, d.forecast(), d.last(), d.frequency());
            sb.append('}');
        }
        sb.append("]}\n");
        return sb.toString();
    }

    static String json(Forecast f, String model, String last, String frequency) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"model\":").append(string(model));
        body(sb, f, last, frequency);
        sb.append("}\n");
        return sb.toString();
    }

    /** The members of one forecast's JSON object after its first member. */
    private static void body(StringBuilder sb, Forecast f, String last, String frequency) {
        sb.append(",\"last_observation\":").append(last == null ? "null" : string(last));
        sb.append(",\"frequency\":").append(frequency == null ? "null" : string(frequency));
        sb.append(",\"history_rows\":").append(f.historyLength());
        sb.append(",\"filled_values\":").append(f.filledValues());
        sb.append(",\"steps\":[");
        for (int h = 0; h < f.horizon(); h++) {
            if (h > 0) {
                sb.append(',');
            }
            sb.append("{\"step\":").append(h + 1);
            if (!f.dates().isEmpty()) {
                sb.append(",\"date\":").append(string(f.dates().get(h)));
            }
            sb.append(",\"values\":{");
            for (int feature = 0; feature < f.featureNames().size(); feature++) {
                if (feature > 0) {
                    sb.append(',');
                }
                sb.append(string(f.featureNames().get(feature))).append(":{\"forecast\":")
                        .append(number(f.value(h + 1, feature)));
                for (PredictionInterval i : f.intervals()) {
                    String level = i.label().replace("%", "");
                    sb.append(",\"lower_").append(level).append("\":").append(number(i.lower(h + 1, feature)));
                    sb.append(",\"upper_").append(level).append("\":").append(number(i.upper(h + 1, feature)));
                }
                sb.append('}');
            }
            sb.append("}}");
        }
        sb.append(']');
    }

    private static String string(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
