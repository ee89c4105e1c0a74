package io.stepwise.training.data;

import io.stepwise.training.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts with XChart: loss curves, forecast vs actual, confusion-matrix heat map.
 *
 * <p>Rendering is headless ({@code java.awt.headless=true} is set when this class loads, unless already set),
 * so it works on servers without a display. Files are written atomically: the PNG is rendered to memory,
 * written to a temporary file in the target's folder, then moved over the target, so a reader never sees a
 * half-written image. Missing parent folders are created.
 */
public final class Plots {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private Plots() {
    }

    /**
     * Training and validation loss per epoch (epochs numbered from 1).
     *
     * @param validation may be null or empty when there is no validation curve; otherwise any length
     */
    public static void lossCurves(Path png, String title, String lossName, double[] train, double[] validation) {
        Objects.requireNonNull(png, "png");
        if (train == null || train.length == 0) {
            throw new IllegalArgumentException("train: expected at least one epoch's loss");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch")
                .yAxisTitle(lossName).build();
        style(chart);
        XYSeries t = chart.addSeries("train", epochs(train.length), checkedFinite(train, "train"));
        t.setMarker(SeriesMarkers.CIRCLE);
        if (validation != null && validation.length > 0) {
            XYSeries v = chart.addSeries("validation", epochs(validation.length),
                    checkedFinite(validation, "validation"));
            v.setMarker(SeriesMarkers.DIAMOND);
        }
        write(chart, png);
    }

    /**
     * A series' recent history followed by the actual values of the forecast period and one or more forecasts
     * of that period.
     *
     * @param timeLabels null, or one label per history + actual value; when they all parse as ISO dates
     *                   ({@code 2001-12-29}, {@code 2001-12} or {@code 2001}) the x axis is a date axis,
     *                   otherwise the x axis is the step index
     * @param history    values before the forecast period (may be empty)
     * @param actual     actual values of the forecast period
     * @param forecasts  name → forecast of the same length as {@code actual}, drawn in map order
     */
    public static void forecast(Path png, String title, String valueName, List<String> timeLabels, double[] history,
                                double[] actual, Map<String, double[]> forecasts) {
        Objects.requireNonNull(png, "png");
        if (actual == null || actual.length == 0) {
            throw new IllegalArgumentException("actual: expected at least one value");
        }
        int total = history.length + actual.length;
        if (timeLabels != null && timeLabels.size() != total) {
            throw new IllegalArgumentException("timeLabels: expected " + total + " (history + actual) but got "
                    + timeLabels.size());
        }
        List<Date> dates = timeLabels == null ? null : parseDates(timeLabels);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(dates == null ? "step" : "time").yAxisTitle(valueName).build();
        style(chart);
        // Outside the plot: the forecast period is at the right edge, where an inside legend would cover it.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        if (dates != null) {
            chart.getStyler().setDatePattern(timeLabels.get(0).length() <= 4 ? "yyyy" : "yyyy-MM");
        }
        if (history.length > 0) {
            line(chart, "history", xs(dates, 0, history.length), checkedFinite(history, "history"),
                    new Color(150, 150, 150), false);
        }
        line(chart, "actual", xs(dates, history.length, total), checkedFinite(actual, "actual"), Color.BLACK, false);
        Color[] palette = {new Color(214, 39, 40), new Color(31, 119, 180), new Color(44, 160, 44),
                new Color(148, 103, 189)};
        int k = 0;
        for (Map.Entry<String, double[]> e : forecasts.entrySet()) {
            if (e.getValue().length != actual.length) {
                throw new IllegalArgumentException("forecasts['" + e.getKey() + "']: expected " + actual.length
                        + " values (as actual) but got " + e.getValue().length);
            }
            line(chart, e.getKey(), xs(dates, history.length, total), checkedFinite(e.getValue(), e.getKey()),
                    palette[k++ % palette.length], true);
        }
        write(chart, png);
    }

    /**
     * Confusion-matrix heat map: cell colour and printed value = share of the actual class (row-normalised,
     * so classes of different sizes compare; the diagonal is each class's recall). Actual classes on the y axis,
     * first label at the top, predictions on the x axis. The counts are in {@link ConfusionMatrix#render()}.
     */
    public static void confusionHeatMap(Path png, String title, ConfusionMatrix matrix) {
        Objects.requireNonNull(png, "png");
        int n = matrix.size();
        int side = Math.max(560, 120 + 60 * n);
        HeatMapChart chart = new HeatMapChartBuilder().width(side + 120).height(side).title(title)
                .xAxisTitle("predicted").yAxisTitle("actual").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(1);
        chart.getStyler().setRangeColors(new Color[] {new Color(255, 255, 255), new Color(198, 219, 239),
                new Color(66, 146, 198), new Color(8, 48, 107)});
        chart.getStyler().setValueFontColor(new Color(40, 40, 40));
        chart.getStyler().setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, n > 12 ? 9 : 12));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setLegendVisible(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        double[][] shares = matrix.rowShares();
        List<String> xLabels = new ArrayList<>(matrix.labels());
        // Rows from the top: reverse so the first label is at the top of the y axis, like a table.
        List<String> yLabels = new ArrayList<>();
        for (int a = n - 1; a >= 0; a--) {
            yLabels.add(matrix.labels().get(a));
        }
        List<Number[]> cells = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            for (int p = 0; p < n; p++) {
                cells.add(new Number[] {p, n - 1 - a, shares[a][p]});
            }
        }
        chart.getStyler().setHeatMapValueDecimalPattern("0.00");
        chart.addSeries("share of actual", xLabels, yLabels, cells);
        write(chart, png);
    }

    private static void style(XYChart chart) {
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(6);
    }

    private static void line(XYChart chart, String name, List<?> x, double[] y, Color color, boolean dashed) {
        List<Double> ys = new ArrayList<>(y.length);
        for (double v : y) {
            ys.add(v);
        }
        XYSeries s = chart.addSeries(name, x, ys);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(dashed ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f) : new BasicStroke(1.6f));
    }

    private static List<?> xs(List<Date> dates, int from, int to) {
        if (dates != null) {
            return dates.subList(from, to);
        }
        List<Integer> xs = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            xs.add(i);
        }
        return xs;
    }

    /** 1, 2, …, n: the x values of a per-epoch curve. */
    static double[] epochs(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    /** Parses every label as an ISO date, year-month or year; null when any does not parse. */
    static List<Date> parseDates(List<String> labels) {
        List<Date> out = new ArrayList<>(labels.size());
        for (String label : labels) {
            String s = label.strip();
            String iso = s.matches("\\d{4}") ? s + "-01-01" : s.matches("\\d{4}-\\d{2}") ? s + "-01" : s;
            try {
                out.add(Date.from(LocalDate.parse(iso).atStartOfDay(ZoneOffset.UTC).toInstant()));
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return out;
    }

    /** {@code values}, or an error naming the first value that is NaN or infinite. */
    static double[] checkedFinite(double[] values, String name) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected a finite value but got "
                        + values[i]);
            }
        }
        return values;
    }

    /** Renders the chart to PNG bytes and writes them atomically. */
    static void write(Chart<?, ?> chart, Path png) {
        try {
            byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.write(png, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}
