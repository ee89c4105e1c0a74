package io.stepwise.training.data;

import io.stepwise.runtime.forecast.TimeStampFormat;
import io.stepwise.training.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A forecaster's charts, made to be read honestly: the training loss and the validation metric in separate panels
 * (their scales differ) with the baseline's validation metric drawn in, and forecasts from several origins with
 * their prediction intervals against what happened, on a date axis when the series has dates. Files are written
 * atomically (rendered in memory, then moved into place); rendering is headless.
 */
public final class ForecastPlots {
    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int WIDTH = 900;
    private static final Color[] PALETTE = {new Color(214, 39, 40), new Color(31, 119, 180),
        new Color(44, 160, 44), new Color(148, 103, 189), new Color(255, 127, 14)};

    private ForecastPlots() {
    }

    /**
     * Two panels: the training loss per epoch above, the validation metric per epoch below with the baseline's
     * value as a horizontal line.
     *
     * @param baseline the baseline's validation metric, or NaN to draw none
     */
    public static void trainingPanels(Path png, String title, String lossName, double[] train, String metricName,
                                      double[] validation, String baselineName, double baseline) {
        Objects.requireNonNull(png, "png");
        if (train.length == 0 || validation.length == 0) {
            throw new IllegalArgumentException("train/validation: expected at least one epoch");
        }
        XYChart loss = chart(title + ": training loss", "epoch", lossName, 300);
        loss.addSeries("train", Plots.epochs(train.length), Plots.checkedFinite(train, "train"))
                .setMarker(SeriesMarkers.CIRCLE);
        XYChart val = chart(title + ": validation", "epoch", metricName, 300);
        val.addSeries("model", Plots.epochs(validation.length), Plots.checkedFinite(validation, "validation"))
                .setMarker(SeriesMarkers.DIAMOND);
        if (Double.isFinite(baseline)) {
            XYSeries b = val.addSeries(baselineName, new double[] {1, Math.max(1.0001, validation.length)},
                    new double[] {baseline, baseline});
            b.setMarker(SeriesMarkers.NONE);
            b.setLineColor(Color.BLACK);
            b.setLineStyle(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f));
        }
        write(png, loss, val);
    }

    /**
     * One forecast from one origin, with its interval.
     *
     * @param origin index of the first forecast step in the series
     * @param values the forecast, one per step
     * @param lower  lower bound per step, or null
     * @param upper  upper bound per step, or null
     */
    public record Origin(int origin, double[] values, double[] lower, double[] upper) {
    }

    /**
     * The series (actual values, with {@code from} as the first row shown) and forecasts from several origins with
     * their intervals; the x axis is a date axis when every stamp is a date Stepwise reads, else the row index.
     *
     * @param stamps one per row of {@code actual}, or empty
     */
    public static void originsWithIntervals(Path png, String title, String valueName, List<String> stamps,
                                            double[] actual, int from, List<Origin> origins, double level,
                                            String baselineName, List<double[]> baselines) {
        Objects.requireNonNull(png, "png");
        List<Date> dates = dates(stamps);
        XYChart chart = chart(title, dates == null ? "row" : "time", valueName, 460);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        if (dates != null) {
            chart.getStyler().setDatePattern(stamps.get(0).length() <= 4 ? "yyyy" : "yyyy-MM");
        }
        line(chart, "actual", xs(dates, from, actual.length), slice(actual, from, actual.length), Color.BLACK,
                false, 1.4f);
        for (int k = 0; k < origins.size(); k++) {
            Origin o = origins.get(k);
            int to = o.origin() + o.values().length;
            Color c = PALETTE[k % PALETTE.length];
            String at = stamps.isEmpty() ? "row " + o.origin() : stamps.get(o.origin());
            line(chart, "from " + at, xs(dates, o.origin(), to), o.values(), c, false, 2f);
            if (o.lower() != null && o.upper() != null) {
                Color light = new Color(c.getRed(), c.getGreen(), c.getBlue(), 110);
                String band = Math.round(level * 100) + "% interval";
                line(chart, band + " " + (k + 1) + " low", xs(dates, o.origin(), to), o.lower(), light, true, 1f);
                line(chart, band + " " + (k + 1) + " high", xs(dates, o.origin(), to), o.upper(), light, true, 1f);
            }
            if (k < baselines.size()) {
                line(chart, baselineName + " " + (k + 1), xs(dates, o.origin(), to), baselines.get(k),
                        new Color(120, 120, 120), true, 1f);
            }
        }
        write(png, chart);
    }

    private static XYChart chart(String title, String x, String y, int height) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height).title(title).xAxisTitle(x).yAxisTitle(y)
                .build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    private static void line(XYChart chart, String name, List<?> x, double[] y, Color color, boolean dashed,
                             float width) {
        List<Double> ys = new ArrayList<>(y.length);
        for (double v : Plots.checkedFinite(y, name)) {
            ys.add(v);
        }
        XYSeries s = chart.addSeries(name, x, ys);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(dashed ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {5f, 4f}, 0f) : new BasicStroke(width));
    }

    /** The stamps as dates, or null when any is not a time stamp Stepwise reads. */
    static List<Date> dates(List<String> stamps) {
        if (stamps.isEmpty()) {
            return null;
        }
        Optional<TimeStampFormat> format = TimeStampFormat.of(stamps.get(0));
        if (format.isEmpty()) {
            return null;
        }
        List<Date> out = new ArrayList<>(stamps.size());
        for (String s : stamps) {
            try {
                out.add(Date.from(format.get().parse(s).atStartOfDay(ZoneOffset.UTC).toInstant()));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return out;
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

    private static double[] slice(double[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    /** Stacks the charts vertically into one PNG, written atomically. */
    private static void write(Path png, XYChart... charts) {
        List<BufferedImage> images = new ArrayList<>();
        int height = 0;
        for (XYChart c : charts) {
            BufferedImage image = BitmapEncoder.getBufferedImage(c);
            images.add(image);
            height += image.getHeight();
        }
        BufferedImage all = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height);
        int y = 0;
        for (BufferedImage image : images) {
            g.drawImage(image, 0, y, null);
            y += image.getHeight();
        }
        g.dispose();
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(all, "png", bytes);
            AtomicFiles.write(png, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }
}
