package io.stepwise.flink.example;

import io.stepwise.flink.StepEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example job's line format. */
class SeriesCsvTest {

    @Test
    void linesBecomeObservationsAndAnEmptyValueIsMissing() {
        assertTrue(SeriesCsv.isHeader("series,date,co2_ppm"));
        assertFalse(SeriesCsv.isHeader("sensor-1,2020-01-04,411.2"));
        StepEvent e = SeriesCsv.parse("sensor-1,2020-01-04,411.2");
        assertEquals("sensor-1", e.key());
        assertEquals(1_578_096_000_000L, e.timestamp());
        assertArrayEquals(new double[] {411.2}, e.values());
        assertEquals("2020-01-04", SeriesCsv.date(e.timestamp()));
        assertTrue(Double.isNaN(SeriesCsv.parse("sensor-1,1578096000000,").values()[0]));
        assertArrayEquals(new double[] {1, 2}, SeriesCsv.parse("s,5,1,2").values());
    }

    @Test
    void aBadLineIsRefusedNamingTheColumn() {
        assertEquals("date: expected an ISO date (2020-01-04) or epoch milliseconds but got 'yesterday'",
                assertThrows(IllegalArgumentException.class, () -> SeriesCsv.parse("s,yesterday,1")).getMessage());
        assertEquals("value 0: expected a number but got 'abc'",
                assertThrows(IllegalArgumentException.class, () -> SeriesCsv.parse("s,5,abc")).getMessage());
        assertEquals("expected series,date,value but got 2 column(s)",
                assertThrows(IllegalArgumentException.class, () -> SeriesCsv.parse("s,5")).getMessage());
    }
}
