package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void computesErrors() {
        double[] actual = {1, 2, 3, 4};
        double[] predicted = {2, 2, 1, 4};
        assertEquals(0.75, Metrics.mae(actual, predicted), 1e-12);
        assertEquals(Math.sqrt(5 / 4.0), Metrics.rmse(actual, predicted), 1e-12);
        assertEquals(0.375, Metrics.mase(actual, predicted, 2.0), 1e-12);
        // scale from train {0, 2, 4, 6} with season 1: mean |diff| = 2
        assertEquals(0.375, Metrics.mase(actual, predicted, new double[] {0, 2, 4, 6}, 1), 1e-12);
        Metrics.Forecast f = Metrics.forecast(actual, predicted, new double[] {0, 2, 4, 6}, 1);
        assertEquals(0.75, f.mae(), 1e-12);
    }

    @Test
    void computesAccuracyAndBits() {
        assertEquals(0.5, Metrics.accuracy(new int[] {0, 1, 2, 3}, new int[] {0, 1, 0, 0}), 1e-12);
        assertEquals(1.0, Metrics.bitsPerChar(Math.log(2)), 1e-12);
        assertEquals(Math.log(26) / Math.log(2), Metrics.bitsPerChar(Math.log(26)), 1e-12);
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.mae(new double[] {1, Double.NaN}, new double[] {1, 2}));
        assertTrue(e.getMessage().contains("actual[1]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.rmse(new double[] {1}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Metrics.mae(new double[0], new double[0]));
        assertThrows(IllegalArgumentException.class, () -> Metrics.mase(new double[] {1}, new double[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(new int[] {1}, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> Metrics.bitsPerChar(-1));
    }
}
