package io.stepwise.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.forecast.Frequency;
import io.stepwise.runtime.forecast.TimeStampFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small generated series for each check of {@link TimeIndex} and the series column of {@link SeriesCsvReader}. */
class TimeIndexTest {
    @TempDir
    Path dir;

    private static double[][] column(double... v) {
        double[][] rows = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            rows[i] = new double[] {v[i]};
        }
        return rows;
    }

    private static TimeIndex.Regular regular(List<String> stamps, double... v) {
        return TimeIndex.regularize("t.csv", "month", stamps, column(v), Optional.empty());
    }

    @Test
    void aRegularOldestFirstSeriesIsKeptAsItIs() {
        TimeIndex.Regular r = regular(List.of("2020-01", "2020-02", "2020-03"), 1, 2, 3);
        assertEquals(List.of("2020-01", "2020-02", "2020-03"), r.timeStamps());
        assertEquals(Frequency.MONTHLY, r.report().frequency());
        assertEquals(TimeStampFormat.MONTH, r.report().format());
        assertEquals(TimeIndex.Order.OLDEST_FIRST, r.report().order());
        assertEquals(0, r.report().insertedRows());
        assertEquals("monthly, oldest first, no gaps", r.report().describe());
    }

    @Test
    void newestFirstIsReversedAndOutOfOrderIsSortedAndSaid() {
        TimeIndex.Regular r = regular(List.of("2020-Q3", "2020-Q2", "2020-Q1"), 3, 2, 1);
        assertEquals(List.of("2020-Q1", "2020-Q2", "2020-Q3"), r.timeStamps());
        assertArrayEquals(new double[] {1}, r.values()[0]);
        assertEquals(TimeIndex.Order.NEWEST_FIRST, r.report().order());
        assertTrue(r.report().describe().contains("newest first: reversed"));
        TimeIndex.Regular u = TimeIndex.regularize("t.csv", "date", List.of("2021-01-08", "2021-01-01",
                "2021-01-15", "2021-01-22"), column(2, 1, 3, 4), Optional.empty());
        assertEquals(TimeIndex.Order.UNSORTED, u.report().order());
        assertEquals(Frequency.WEEKLY, u.report().frequency());
        assertEquals(List.of("2021-01-01", "2021-01-08", "2021-01-15", "2021-01-22"), u.timeStamps());
    }

    @Test
    void gapsAreInsertedAsMissingRowsAndCounted() {
        TimeIndex.Regular r = TimeIndex.regularize("t.csv", "date", List.of("2021-01-01", "2021-01-02",
                "2021-01-05", "2021-01-06", "2021-01-07"), column(1, 2, 5, 6, 7), Optional.empty());
        assertEquals(Frequency.DAILY, r.report().frequency());
        assertEquals(2, r.report().insertedRows());
        assertEquals(List.of("2021-01-03", "2021-01-04"), r.report().firstGaps());
        assertEquals(7, r.values().length);
        assertTrue(Double.isNaN(r.values()[2][0]) && Double.isNaN(r.values()[3][0]));
        assertArrayEquals(new boolean[] {false, false, true, true, false, false, false}, r.inserted());
        r.values()[0][0] = 99;
        r.inserted()[0] = true;
        assertEquals(1, r.values()[0][0], "values are copied on the way out");
        assertFalse(r.inserted()[0], "flags are copied on the way out");
        assertTrue(r.report().describe().contains("2 missing rows inserted and interpolated (2021-01-03, "
                + "2021-01-04)"), r.report().describe());
    }

    @Test
    void duplicatesAreRefusedNamingBothRows() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> regular(List.of("2020-01", "2020-02", "2020-02", "2020-03"), 1, 2, 2, 3));
        assertTrue(e.getMessage().contains("rows 2 ('2020-02') and 3 ('2020-02') fall in the same month"),
                e.getMessage());
    }

    @Test
    void badStampsAndIrregularSpacingAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> regular(List.of("2020-01", "2020-02", "March"), 1, 2, 3));
        assertTrue(e.getMessage().contains("'March' (row 3) is not a month such as 2024-03"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> regular(List.of("t1", "t2"), 1, 2));
        assertTrue(e.getMessage().contains("time column 'month': 't1' (row 1) is not a time stamp"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TimeIndex.regularize("t.csv", "date",
                List.of("2020-01-01", "2020-01-15", "2020-01-29"), column(1, 2, 3), Optional.empty()));
        assertTrue(e.getMessage().contains("a median 14 days apart"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TimeIndex.regularize("t.csv", "year",
                List.of("2001", "2002"), column(1, 2), Optional.of(Frequency.MONTHLY)));
        assertTrue(e.getMessage().contains("the rows are yearly but the model was trained on monthly data"));
    }

    @Test
    void aSeriesColumnSplitsALongFile() throws IOException {
        Path csv = dir.resolve("stores.csv");
        Files.writeString(csv, "store,date,sales,price\na,2020-01-01,1,9\nb,2020-01-01,10,8\na,2020-01-02,2,9\n"
                + "b,2020-01-02,11,8\n", StandardCharsets.UTF_8);
        SeriesCsvReader.Table t = SeriesCsvReader.reader().optSeriesColumn("store").readFile(csv);
        assertEquals(Optional.of("date"), t.timeColumn());
        assertEquals(List.of("sales", "price"), t.columns());
        Map<String, SeriesCsvReader.Table> bySeries = t.bySeries();
        assertEquals(List.of("a", "b"), List.copyOf(bySeries.keySet()));
        assertEquals(List.of("2020-01-01", "2020-01-02"), bySeries.get("b").timeStamps());
        assertArrayEquals(new double[] {11, 8}, bySeries.get("b").values()[1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeriesCsvReader.reader().optSeriesColumn("shop").readFile(csv));
        assertTrue(e.getMessage().contains("series column 'shop' not found; columns are [store, date, sales, price]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SeriesCsvReader.reader().optSeriesColumn("store").optValueColumns("store").readFile(csv));
        assertTrue(e.getMessage().contains("is the series column"), e.getMessage());
    }
}
