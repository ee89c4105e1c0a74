package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeSeriesTest {
    private static final double N = Double.NaN;

    private static TimeSeries series(double[]... rows) {
        return new TimeSeries("test", null, List.of(), List.of("a", "b"), rows);
    }

    @Test
    void interpolatesInteriorGapsLinearlyAndEdgesWithNearestValue() {
        TimeSeries s = series(new double[] {N, 1}, new double[] {2, N}, new double[] {N, N}, new double[] {N, 7},
                new double[] {8, N});
        TimeSeries.Interpolation filled = s.interpolate();
        assertArrayEquals(new double[] {2, 2, 4, 6, 8}, filled.series().column(0), 1e-12);
        assertArrayEquals(new double[] {1, 3, 5, 7, 7}, filled.series().column(1), 1e-12);
        assertEquals(6, filled.filledCount());
        assertTrue(filled.filled()[0][0]);
        assertFalse(filled.filled()[1][0]);
        assertEquals(4, filled.filledIn(2, 5));
        assertEquals(6, s.missingCount(), "the original is untouched");
    }

    @Test
    void co2GapsAreFilled() {
        TimeSeries.Interpolation filled = SeriesCsv.read(TestData.co2()).interpolate();
        assertEquals(59, filled.filledCount());
        assertEquals(0, filled.series().missingCount());
        assertEquals(0, filled.filledIn(2284 - 104, 2284), "no gap in the test tail");
    }

    @Test
    void rejectsColumnWithoutObservations() {
        TimeSeries s = series(new double[] {N, 1}, new double[] {N, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, s::interpolate);
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    void rejectsInconsistentShapes() {
        assertThrows(IllegalArgumentException.class, () -> series(new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> new TimeSeries("t", "d", List.of("x"), List.of("a"), new double[][] {{1}, {2}}));
        assertThrows(IllegalArgumentException.class, () -> series(new double[] {1, 2}).columnIndex("c"));
    }
}
