package io.stepwise.training.tasks.training;

import io.stepwise.cli.TimeIndex;
import io.stepwise.training.data.SeriesSplit;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol.Series;
import io.stepwise.training.tasks.protocol.Setting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a forecaster's training says about its settings and data: the settings line and the data description. */
final class ForecastDescription {
    private ForecastDescription() {
    }

    /**
     * The settings line printed before training, e.g. {@code settings: season 12 (derived), window 24 (derived),
     * ... — from monthly data, 144 rows}.
     */
    static String settings(TrainingOptions options, ForecastProtocol.Panel panel, List<Series> data) {
        ForecastProtocol.Loaded loaded = panel.series().get(0);
        StringBuilder sb = new StringBuilder("settings: ");
        java.util.function.BiConsumer<String, Object[]> add = (name, v) -> {
            if (sb.length() > "settings: ".length()) {
                sb.append(", ");
            }
            sb.append(name).append(' ').append(v[0]).append(options.defaulted().contains((Setting) v[1])
                    ? " (derived)" : " (given)");
        };
        add.accept("season", new Object[] {options.season(), Setting.SEASON});
        add.accept("window", new Object[] {options.window(), Setting.WINDOW});
        add.accept("horizon", new Object[] {options.horizon(), Setting.HORIZON});
        add.accept("validation", new Object[] {options.validationLength(), Setting.VALIDATION_LENGTH});
        add.accept("test", new Object[] {options.testLength(), Setting.TEST_LENGTH});
        add.accept("scale headroom", new Object[] {options.scaleHeadroom(), Setting.SCALE_HEADROOM});
        add.accept("lr", new Object[] {options.learningRate(), Setting.LEARNING_RATE});
        add.accept("epochs", new Object[] {options.epochs(), Setting.EPOCHS});
        sb.append(" — from ").append(loaded.frequency().map(f -> f.wireName() + " data").orElse("undated data"))
                .append(", ");
        if (panel.isGlobal()) {
            sb.append(data.size()).append(" series in column '").append(panel.seriesColumn()).append("' (")
                    .append(panel.shortestLength()).append(" to ").append(data.stream().mapToInt(d ->
                            d.values().length).max().orElse(0)).append(" rows each), one global model; first ")
                    .append(panel.keys().get(0)).append(": ");
        } else {
            sb.append(data.get(0).values().length).append(" rows; ");
        }
        sb.append(loaded.describe());
        return sb.toString();
    }

    /** What the data was, for the provenance ({@code training.data}) and the first line of the log. */
    static Map<String, Object> data(TrainingOptions options, ForecastProtocol.Panel panel, List<Series> data) {
        ForecastProtocol.Loaded loaded = panel.series().get(0);
        Series first = data.get(0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", panel.isGlobal() ? options.data() == null ? first.raw().source() : options.data().toString()
                : first.raw().source());
        m.put("columns", first.raw().columns());
        if (panel.isGlobal()) {
            m.put("series_column", panel.seriesColumn());
            m.put("series", data.size());
            m.put("series_keys", panel.keys().size() <= ForecastTask.SERIES_IN_METRICS ? panel.keys()
                    : panel.keys().subList(0, ForecastTask.SERIES_IN_METRICS));
        }
        m.put("rows", data.stream().mapToInt(d -> d.values().length).sum());
        m.put("train_rows", data.stream().mapToInt(d -> d.split().trainLength()).sum());
        m.put("validation_rows", data.stream().mapToInt(d -> d.split().validationLength()).sum());
        m.put("test_rows", data.stream().mapToInt(d -> d.split().testLength()).sum());
        int[] filled = new int[3];
        for (Series d : data) {
            SeriesSplit split = d.split();
            for (int t = 0; t < d.values().length; t++) {
                int part = t < split.validationStart() ? 0 : t < split.testStart() ? 1 : 2;
                for (boolean f : d.filled()[t]) {
                    filled[part] += f ? 1 : 0;
                }
            }
        }
        m.put("interpolated_values", Map.of("train", filled[0], "validation", filled[1], "test", filled[2]));
        if (!panel.isGlobal()) {
            m.put("mase_scale", first.maseScale());
        }
        m.put("target", first.raw().columns().get(0));
        if (first.raw().width() > 1) {
            m.put("covariates", first.raw().columns().subList(1, first.raw().width()));
        }
        loaded.timeline().ifPresent(t -> {
            m.put("time_column", first.raw().timeColumn());
            m.put("frequency", t.frequency().wireName());
            m.put("order", t.order().text());
            m.put("inserted_rows", panel.series().stream().mapToInt(l -> l.timeline().map(
                    TimeIndex.Report::insertedRows).orElse(0)).sum());
        });
        return m;
    }
}
