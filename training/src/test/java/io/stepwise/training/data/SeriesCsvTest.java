package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeriesCsvTest {
    @TempDir
    Path tmp;

    private Path csv(String content) throws Exception {
        Path file = tmp.resolve("s.csv");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void readsShippedCo2() {
        long start = System.nanoTime();
        TimeSeries co2 = SeriesCsv.read(TestData.co2());
        System.out.printf("co2_weekly.csv: %d rows, %d missing, read in %.1f ms%n", co2.length(), co2.missingCount(),
                (System.nanoTime() - start) / 1e6);
        assertEquals(2284, co2.length());
        assertEquals(59, co2.missingCount());
        assertEquals("date", co2.timeColumn());
        assertEquals(List.of("co2_ppm"), co2.columns());
        assertEquals("1958-03-29", co2.timeStamps().get(0));
        assertEquals(316.1, co2.values()[0][0]);
        assertEquals(371.5, co2.values()[2283][0]);
    }

    @Test
    void detectsTimeColumnByNameEvenWhenNumeric() {
        TimeSeries sunspots = SeriesCsv.read(TestData.dataDir().resolve("timeseries/sunspots_yearly.csv"));
        assertEquals("year", sunspots.timeColumn());
        assertEquals(309, sunspots.length());
        TimeSeries elnino = SeriesCsv.read(TestData.dataDir().resolve("timeseries/elnino_monthly.csv"));
        assertEquals(List.of("sea_surface_temp_c"), elnino.columns());
        assertEquals(732, elnino.length());
    }

    @Test
    void detectsTimeColumnByContentAndHandlesSeveralColumns() throws Exception {
        TimeSeries s = SeriesCsv.read(csv("when,a,b\nmon,1,2\ntue,,4\n\n\"wed\",\" 5 \",6e-1\n"));
        assertEquals("when", s.timeColumn());
        assertEquals(List.of("mon", "tue", "wed"), s.timeStamps());
        assertArrayEquals(new double[] {1, Double.NaN, 5}, s.column(0));
        assertArrayEquals(new double[] {2, 4, 0.6}, s.column(1));
        assertEquals(1, s.missingCount());
    }

    @Test
    void allNumericUnnamedFirstColumnIsAValue() throws Exception {
        TimeSeries s = SeriesCsv.read(csv("x,y\n1,2\n3,4\n"));
        assertNull(s.timeColumn());
        assertEquals(List.of("x", "y"), s.columns());
        assertTrue(s.timeStamps().isEmpty());
    }

    @Test
    void honoursExplicitColumns() throws Exception {
        Path file = csv("t,a,b\n1,2,3\n4,5,6\n");
        TimeSeries s = SeriesCsv.reader().optTimeColumn("b").optValueColumns("a").readFile(file);
        assertEquals(List.of("3", "6"), s.timeStamps());
        assertArrayEquals(new double[] {2, 5}, s.column(0));
        TimeSeries all = SeriesCsv.reader().optNoTimeColumn().readFile(file);
        assertEquals(List.of("t", "a", "b"), all.columns());
    }

    @Test
    void errorsNameFileLineColumnAndValue() throws Exception {
        Path bad = csv("date,v\n2001-01-01,1.5\n2001-01-08,abc\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeriesCsv.read(bad));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("line 3")
                && e.getMessage().contains("'v'") && e.getMessage().contains("'abc'"), e.getMessage());

        Path ragged = csv("date,v\n2001-01-01,1.5\n2001-01-08,2,3\n");
        e = assertThrows(IllegalArgumentException.class, () -> SeriesCsv.read(ragged));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("3 cells, expected 2"),
                e.getMessage());

        Path ok = csv("date,v\n2001-01-01,1.5\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> SeriesCsv.reader().optValueColumns("w").readFile(ok));
        assertTrue(e.getMessage().contains("'w' not found") && e.getMessage().contains("[date, v]"), e.getMessage());

        Path nan = csv("date,v\n2001-01-01,NaN\n");
        e = assertThrows(IllegalArgumentException.class, () -> SeriesCsv.read(nan));
        assertTrue(e.getMessage().contains("'NaN' is not a number"), e.getMessage());

        Path headerOnly = csv("date,v\n");
        assertThrows(IllegalArgumentException.class, () -> SeriesCsv.read(headerOnly));
        Path empty = csv("");
        assertThrows(IllegalArgumentException.class, () -> SeriesCsv.read(empty));
    }
}
