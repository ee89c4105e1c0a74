package io.stepwise.training.experiments;

import io.stepwise.training.io.AtomicFiles;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One plot of an experiment: named x/y series (optionally with error bars), rendered to PNG with XChart and
 * recorded in the experiment's JSON with every point, so the figure can be re-plotted or checked without the
 * image.
 */
public final class Figure {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * One line: {@code y[i]} at {@code x[i]}, with {@code error[i]} (a standard deviation) drawn as an error bar
     * when {@code error} is not null.
     */
    public record Series(String name, double[] x, double[] y, double[] error) {
        public Series {
            Objects.requireNonNull(name, "name");
            x = x.clone();
            y = y.clone();
            error = error == null ? null : error.clone();
            if (x.length != y.length || (error != null && error.length != y.length)) {
                throw new IllegalArgumentException("series " + name + ": x, y and error must have the same length"
                        + " but have " + x.length + ", " + y.length + (error == null ? "" : ", " + error.length));
            }
        }

        @Override
        public double[] x() {
            return x.clone();
        }

        @Override
        public double[] y() {
            return y.clone();
        }

        @Override
        public double[] error() {
            return error == null ? null : error.clone();
        }
    }

    private final String id;
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final boolean logY;
    private final List<Series> series = new ArrayList<>();

    /**
     * @param id file-name part: the PNG is {@code <experiment>-<id>.png}; letters, digits and dashes only
     */
    public Figure(String id, String title, String xLabel, String yLabel, boolean logX, boolean logY) {
        if (!id.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("id: expected lower-case letters, digits and dashes but got '" + id
                    + "'");
        }
        this.id = id;
        this.title = Objects.requireNonNull(title, "title");
        this.xLabel = Objects.requireNonNull(xLabel, "xLabel");
        this.yLabel = Objects.requireNonNull(yLabel, "yLabel");
        this.logX = logX;
        this.logY = logY;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }

    public List<Series> series() {
        return List.copyOf(series);
    }

    /** Adds a line; returns this figure. */
    public Figure add(String name, double[] x, double[] y, double[] error) {
        series.add(new Series(name, x, y, error));
        return this;
    }

    /** Adds a line without error bars. */
    public Figure add(String name, double[] x, double[] y) {
        return add(name, x, y, null);
    }

    /** Renders the figure to {@code png} atomically. Non-positive values are left out of a log axis. */
    public void render(Path png) throws IOException {
        if (series.isEmpty()) {
            throw new IllegalStateException("figure " + id + ": no series to plot");
        }
        XYChart chart = new XYChartBuilder().width(900).height(560).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        boolean anyPoint = false;
        for (Series s : series) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            List<Double> es = new ArrayList<>();
            for (int i = 0; i < s.x.length; i++) {
                boolean ok = Double.isFinite(s.x[i]) && Double.isFinite(s.y[i]) && (!logX || s.x[i] > 0)
                        && (!logY || s.y[i] > 0);
                if (ok) {
                    xs.add(s.x[i]);
                    ys.add(s.y[i]);
                    double e = s.error == null || !Double.isFinite(s.error[i]) ? 0 : s.error[i];
                    // A log axis cannot show a bar reaching zero or below; clip it just above zero.
                    es.add(logY ? Math.min(e, s.y[i] * 0.999) : e);
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            anyPoint = true;
            XYSeries line = s.error == null ? chart.addSeries(s.name, xs, ys) : chart.addSeries(s.name, xs, ys, es);
            line.setMarker(SeriesMarkers.CIRCLE);
        }
        if (!anyPoint) {
            throw new IllegalStateException("figure " + id + ": no finite point to plot");
        }
        AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }

    /** The figure as a JSON-ready map: title, axes and every series' points. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("title", title);
        m.put("x_label", xLabel);
        m.put("y_label", yLabel);
        m.put("log_x", logX);
        m.put("log_y", logY);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Series s : series) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("name", s.name);
            sm.put("x", s.x.clone());
            sm.put("y", s.y.clone());
            if (s.error != null) {
                sm.put("sd", s.error.clone());
            }
            list.add(sm);
        }
        m.put("series", list);
        return m;
    }
}
