package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {
    @TempDir
    Path tmp;

    private static BufferedImage readPng(Path png) throws Exception {
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertEquals((byte) 0x89, head[0]);
        assertEquals("PNG", new String(head, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image);
        return image;
    }

    private void assertNoTempFiles() throws Exception {
        try (Stream<Path> files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")));
        }
    }

    @Test
    void drawsLossCurves() throws Exception {
        Path png = tmp.resolve("sub/loss.png");
        Plots.lossCurves(png, "char LSTM on Europarl", "bits per char", new double[] {3.1, 2.4, 2.1, 1.95, 1.88},
                new double[] {2.6, 2.2, 2.05, 1.99, 1.97});
        BufferedImage image = readPng(png);
        assertEquals(900, image.getWidth());
        Plots.lossCurves(png, "train only", "loss", new double[] {1, 0.5}, null);
        readPng(png);
        assertThrows(IllegalArgumentException.class,
                () -> Plots.lossCurves(png, "x", "y", new double[] {Double.NaN}, null));
        Path both = tmp.resolve("loss.png");
        Plots.lossCurves(both, "char LSTM on Europarl", "bits per char", new double[] {3.1, 2.4, 2.1, 1.95, 1.88},
                new double[] {2.6, 2.2, 2.05, 1.99, 1.97});
        assertNoTempFiles();
        copyForInspection(both);
    }

    @Test
    void drawsForecastAgainstActualOnCo2() throws Exception {
        TimeSeries co2 = SeriesCsv.read(TestData.co2()).interpolate().series();
        double[] values = co2.column(0);
        SeriesSplit split = SeriesSplit.ofTail(values.length, 104, 104);
        int historyStart = split.testStart() - 156;
        double[] history = Arrays.copyOfRange(values, historyStart, split.testStart());
        double[] actual = split.test(values);
        Map<String, double[]> forecasts = new LinkedHashMap<>();
        forecasts.put("seasonal naive", SeasonalNaive.forecast(Arrays.copyOfRange(values, 0, split.testStart()), 52,
                104));
        List<String> labels = co2.timeStamps().subList(historyStart, values.length);
        Path png = tmp.resolve("forecast.png");
        Plots.forecast(png, "Mauna Loa CO2, held-out 2000-2001", "CO2 (ppm)", labels, history, actual, forecasts);
        readPng(png);
        Plots.forecast(tmp.resolve("steps.png"), "no labels", "v", null, new double[0], actual, forecasts);
        readPng(tmp.resolve("steps.png"));
        assertThrows(IllegalArgumentException.class, () -> Plots.forecast(png, "t", "v", null, history, actual,
                Map.of("short", new double[3])));
        assertNoTempFiles();
        copyForInspection(png);
    }

    @Test
    void drawsConfusionHeatMap() throws Exception {
        WordLanguageDataset data = WordLanguageDataset.builder().setFolder(TestData.dataDir().resolve("words"))
                .build();
        NaiveBayesWordClassifier nb = NaiveBayesWordClassifier.train(data);
        ConfusionMatrix cm = ConfusionMatrix.of(data.labels(), data.test().labels(), nb.predict(data.test().words()));
        Path png = tmp.resolve("confusion.png");
        Plots.confusionHeatMap(png, "naive Bayes, word → language (test)", cm);
        BufferedImage image = readPng(png);
        assertTrue(image.getWidth() >= 560);
        assertNoTempFiles();
        copyForInspection(png);
    }

    @Test
    void parsesIsoDateLabels() {
        assertNotNull(Plots.parseDates(List.of("2001-12-29", "2001-12", "1700")));
        assertEquals(null, Plots.parseDates(List.of("2001-12-29", "week 3")));
    }

    /** Leaves a copy under target/plots when -Dstepwise.plots.keep=true, to look at by eye. */
    private static void copyForInspection(Path png) throws Exception {
        if (Boolean.getBoolean("stepwise.plots.keep")) {
            Path dir = Path.of("target", "plots");
            Files.createDirectories(dir);
            Files.copy(png, dir.resolve(png.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
