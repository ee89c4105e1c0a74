package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.data.SeriesSplit;
import io.stepwise.training.data.Standardizer;
import io.stepwise.training.data.TimeSeries;
import io.stepwise.training.tasks.protocol.ForecastProtocol.Series;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whether intervals follow the level: decided from the seasonal changes' growth with the level in training. */
class ForecastIntervalsTest {
    /**
     * 120 rows, season 12: {@code multiplicative} grows 2% a step, its seasonal change and noise in proportion (as
     * quarterly earnings do); else a straight trend with noise of a fixed size.
     */
    private static Series series(boolean multiplicative, double offset) {
        Random random = new Random(3);
        double[][] values = new double[120][1];
        for (int t = 0; t < values.length; t++) {
            double season = 1 + 0.1 * Math.sin(2 * Math.PI * t / 12);
            values[t][0] = offset + (multiplicative
                    ? 100 * Math.exp(0.02 * t) * season * (1 + 0.05 * random.nextGaussian())
                    : 100 + 5 * t + 30 * season + 10 * random.nextGaussian());
        }
        TimeSeries raw = new TimeSeries("generated", null, List.of(), List.of("y"), values);
        SeriesSplit split = SeriesSplit.ofTail(120, 24, 24);
        return new Series(raw, values, new boolean[120][1], split, Standardizer.fit(split.train(values)), 1.0, 12,
                Optional.empty());
    }

    @Test
    void aSwingThatGrowsWithTheLevelGivesRelativeIntervals() {
        Series grows = series(true, 0);
        assertTrue(ForecastIntervals.levelDependence(grows) > ForecastIntervals.LEVEL_DEPENDENCE,
                "" + ForecastIntervals.levelDependence(grows));
        Series fixed = series(false, 0);
        assertTrue(ForecastIntervals.levelDependence(fixed) < ForecastIntervals.LEVEL_DEPENDENCE,
                "" + ForecastIntervals.levelDependence(fixed));
        int[] origins = {72, 80};
        double[][][] forecasts = new double[2][3][1];
        for (int i = 0; i < 2; i++) {
            for (int h = 0; h < 3; h++) {
                forecasts[i][h][0] = grows.values()[origins[i] + h][0] * 0.95;
            }
        }
        ForecastIntervals relative = ForecastIntervals.measure(List.of(grows), List.of(origins), List.<double[][][]>of(forecasts));
        assertTrue(relative.relative());
        assertEquals("validation_relative_residual_quantiles", relative.method());
        // Errors of 5% of the actual are ~5.26% of the forecast: the offsets are that share.
        assertEquals(0.05 / 0.95, relative.upper()[0][0][0], 1e-9);
        ForecastIntervals absolute = ForecastIntervals.measure(List.of(fixed), List.of(origins), List.<double[][][]>of(forecasts));
        assertEquals("validation_residual_quantiles", absolute.method());
        // A series with a value ≤ 0 in training never gets shares of the forecast.
        Series crossing = series(true, -200);
        assertTrue(Double.isNaN(ForecastIntervals.measure(List.of(crossing), List.of(origins), List.<double[][][]>of(forecasts))
                .levelDependence()));
    }

    @Test
    void tiesShareTheirMeanRank() {
        assertArrayEquals(new double[] {0.5, 0.5, 2, 3}, ForecastIntervals.ranks(new double[] {1, 1, 2, 5}), 0);
    }
}
