package io.stepwise.flink.example;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example job end to end on a mini cluster, as {@code make flink-demo} runs it: a CSV of several series in,
 * one forecast row per good observation and one rejected line per missing value or unparseable line out, and an
 * injected spike scored far above everything else of its series.
 */
class SeriesMonitorJobTest {
    private static final int WEEKS = 120;
    private static final int SPIKE_WEEK = 100;
    private static final LocalDate FIRST = LocalDate.of(2020, 1, 4);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    @Test
    void everyObservationIsScoredOrRejectedAndTheSpikeStandsOut(@TempDir Path dir) throws Exception {
        List<String> record = Files.readAllLines(Path.of("../data/timeseries/co2_weekly.csv"), StandardCharsets.UTF_8);
        List<String> recent = record.subList(record.size() - WEEKS, record.size()); // no missing weeks at the end
        List<String> lines = new ArrayList<>();
        lines.add("series,date,co2_ppm");
        for (int w = 0; w < WEEKS; w++) {
            double v = Double.parseDouble(recent.get(w).split(",")[1]);
            String date = FIRST.plusWeeks(w).toString();
            lines.add("steady," + date + "," + v);
            lines.add("gappy," + date + "," + (w == 20 ? "" : String.format(Locale.ROOT, "%.1f", v - 3)));
            lines.add("spiky," + date + "," + String.format(Locale.ROOT, "%.1f", w == SPIKE_WEEK ? v + 40 : v + 2));
            if (w == 25) {
                lines.add("spiky,2020-13-01,400.0");
            }
        }
        Path input = Files.write(dir.resolve("sensors.csv"), lines, StandardCharsets.UTF_8);
        Path out = dir.resolve("out");

        SeriesMonitorJob.main(new String[] {"--input", input.toString(), "--model", "../models/co2-lstm.onnx",
            "--output", out.toString(), "--parallelism", "2", "--checkpoint-ms", "200"});

        List<String> rows = parts(out.resolve("forecasts"));
        List<String> rejected = parts(out.resolve("rejected"));
        assertEquals(3 * WEEKS - 1, rows.size(), "one forecast row per good observation");
        assertEquals(2, rejected.size(), String.join("\n", rejected));
        assertTrue(rejected.stream().anyMatch(r -> r.startsWith("gappy,2020-05-23,NOT_FINITE,")), rejected.toString());
        assertTrue(rejected.stream().anyMatch(r -> r.contains("UNPARSEABLE") && r.contains("2020-13-01")),
                rejected.toString());

        // series,date,position,expected,score,forecast_next: the spike is the series' highest score by far.
        List<String[]> spiky = rows.stream().map(r -> r.split(",", -1)).filter(c -> c[0].equals("spiky")).toList();
        assertEquals(WEEKS, spiky.size());
        String[] top = spiky.stream().filter(c -> !c[4].isEmpty())
                .max(Comparator.comparingDouble(c -> Double.parseDouble(c[4]))).orElseThrow();
        assertEquals(FIRST.plusWeeks(SPIKE_WEEK).toString(), top[1]);
        double spikeScore = Double.parseDouble(top[4]);
        double otherwise = spiky.stream().filter(c -> !c[4].isEmpty() && c != top)
                .mapToDouble(c -> Double.parseDouble(c[4])).max().orElseThrow();
        assertTrue(spikeScore >= 6 && spikeScore > 3 * otherwise, "spike " + spikeScore + ", otherwise ≤ " + otherwise);
        List<String[]> gappy = rows.stream().map(r -> r.split(",", -1)).filter(c -> c[0].equals("gappy")).toList();
        assertEquals(WEEKS - 1, gappy.size());
        assertTrue(gappy.stream().allMatch(c -> !c[1].equals("2020-05-23")), "the missing week has no row");
    }

    /** The lines of every finished part file under {@code folder} (in-progress files start with a dot). */
    private static List<String> parts(Path folder) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList()) {
                lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}
