package io.stepwise.training.tasks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.training.data.SeriesSplit;
import io.stepwise.training.data.Standardizer;
import io.stepwise.training.data.TimeSeries;
import io.stepwise.training.tasks.protocol.ForecastProtocol;
import io.stepwise.training.tasks.protocol.ForecastProtocol.Series;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Split-conformal intervals: calibrated on validation errors they cover new errors at their level, widen with the
 * horizon where the errors do, say when there were too few errors for a level, and follow the level when the seasonal
 * changes grow with it in training.
 */
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
        int[] origins = {72, 73, 74, 75, 76, 77, 78, 79, 80};
        double[][][] forecasts = new double[origins.length][3][1];
        for (int i = 0; i < origins.length; i++) {
            for (int h = 0; h < 3; h++) {
                forecasts[i][h][0] = grows.values()[origins[i] + h][0] * 0.95;
            }
        }
        ForecastIntervals relative = ForecastIntervals.measure(List.of(grows), List.of(origins), List.<double[][][]>of(forecasts));
        assertTrue(relative.relative());
        assertEquals("validation_relative_residual_quantiles", relative.method());
        // Errors of 5% of the actual are ~5.26% of the forecast: the offsets are that share, on both sides.
        assertEquals(0.05 / 0.95, relative.upper()[0][0][0], 1e-9);
        assertEquals(-0.05 / 0.95, relative.lower()[0][0][0], 1e-9);
        ForecastIntervals absolute = ForecastIntervals.measure(List.of(fixed), List.of(origins), List.<double[][][]>of(forecasts));
        assertEquals("validation_residual_quantiles", absolute.method());
        // A series with a value ≤ 0 in training never gets shares of the forecast.
        Series crossing = series(true, -200);
        assertTrue(Double.isNaN(ForecastIntervals.measure(List.of(crossing), List.of(origins), List.<double[][][]>of(forecasts))
                .levelDependence()));
    }

    /**
     * A series of Gaussian noise around 0 (sd 1) forecast by a "model" whose own error adds Gaussian noise of sd
     * 0.5 (h + 1) at step h, so the error's sd grows from 1.12 to 3.16 over six steps: 400 validation rows, 3,000
     * test rows, fixed seed.
     */
    @Test
    void gaussianErrorsAreCoveredAtTheirLevelAndWidenWithTheHorizon() {
        int horizon = 6;
        int n = 4000;
        Random random = new Random(11);
        double[][] values = new double[n][1];
        for (int t = 0; t < n; t++) {
            values[t][0] = random.nextGaussian();
        }
        TimeSeries raw = new TimeSeries("generated", null, List.of(), List.of("y"), values);
        SeriesSplit split = SeriesSplit.ofTail(n, 400, 3000);
        Series series = new Series(raw, values, new boolean[n][1], split, Standardizer.fit(split.train(values)), 1.0,
                1, Optional.empty());
        int[] validation = ForecastProtocol.origins(split.validationStart(), split.testStart(), horizon);
        int[] test = ForecastProtocol.origins(split.testStart(), n, horizon);
        ForecastIntervals bands = ForecastIntervals.measure(List.of(series), List.of(validation),
                List.<double[][][]>of(noisyForecasts(validation.length, horizon, random)));
        assertEquals("validation_residual_quantiles", bands.method(), "values around 0: absolute intervals");
        assertArrayEquals(new boolean[] {false, false}, bands.extrapolated());
        double[][][] forecasts = noisyForecasts(test.length, horizon, random);
        double c80 = bands.coverage(0, List.of(series), List.of(test), List.<double[][][]>of(forecasts));
        double c95 = bands.coverage(1, List.of(series), List.of(test), List.<double[][][]>of(forecasts));
        // ~18,000 test points against 395 calibration errors per step: the sampling spread is ~2 points (80 %) and
        // ~1 point (95 %); the seed is fixed, so these bounds hold or fail the same way every run.
        assertEquals(0.80, c80, 0.04, "80% coverage");
        assertEquals(0.95, c95, 0.025, "95% coverage");
        double std = series.scaling().std()[0];
        for (int h = 0; h < horizon; h++) {
            double sd = Math.sqrt(1 + 0.25 * (h + 1) * (h + 1));
            // The 80 % half-width of a normal error is 1.2816 sd: each step's offset is within 15 % of it.
            assertEquals(1.2816 * sd, bands.upper()[0][h][0] * std, 0.15 * 1.2816 * sd, "step " + (h + 1));
            assertEquals(-bands.upper()[0][h][0], bands.lower()[0][h][0], 0);
        }
        assertTrue(bands.upper()[0][horizon - 1][0] > 2 * bands.upper()[0][0][0],
                "the last step's errors are 2.8 times the first's: " + bands);
    }

    /** [origin][step][1]: the value 0 plus Gaussian noise of sd 0.5 (h + 1), i.e. the model's own error. */
    private static double[][][] noisyForecasts(int origins, int horizon, Random random) {
        double[][][] f = new double[origins][horizon][1];
        for (int i = 0; i < origins; i++) {
            for (int h = 0; h < horizon; h++) {
                f[i][h][0] = 0.5 * (h + 1) * random.nextGaussian();
            }
        }
        return f;
    }

    @Test
    void tooFewValidationErrorsForALevelWidenBeyondTheLargestAndSaySo() {
        Series fixed = series(false, 0);
        int[] origins = {72, 73, 74, 75, 76, 77, 78};
        double[][][] forecasts = new double[origins.length][2][1];
        double std = fixed.scaling().std()[0];
        for (int i = 0; i < origins.length; i++) {
            for (int h = 0; h < 2; h++) {
                // Errors of 1..7 std, all of one sign: the intervals are still symmetric.
                forecasts[i][h][0] = fixed.values()[origins[i] + h][0] - (i + 1) * std;
            }
        }
        ForecastIntervals bands = ForecastIntervals.measure(List.of(fixed), List.of(origins),
                List.<double[][][]>of(forecasts));
        assertArrayEquals(new int[] {7, 7}, bands.errors());
        // Step 2 errors of neighbouring origins overlap: 7 count as ⌈7 / 2⌉ = 4 independent ones.
        assertArrayEquals(new int[] {7, 4}, bands.independent());
        // 80 %: rank ⌈8 × 0.8⌉ = 7 of 7, the largest error; at step 2 rank ⌈5 × 0.8⌉ = 4 of 4, the largest too.
        assertEquals(7, bands.upper()[0][0][0], 1e-9);
        assertEquals(-7, bands.lower()[0][0][0], 1e-9);
        assertEquals(7, bands.upper()[0][1][0], 1e-9);
        // 95 %: rank 8 of 7 does not exist; the largest covers 7/8, widened by z(0.975) / z(0.9375); at step 2 it
        // covers 4/5, widened by z(0.975) / z(0.9).
        assertArrayEquals(new boolean[] {false, true}, bands.extrapolated());
        assertEquals(7 * 1.959964 / 1.534121, bands.upper()[1][0][0], 1e-4);
        assertEquals(7 * 1.959964 / 1.281552, bands.upper()[1][1][0], 1e-4);
        assertEquals(List.of(0.95), bands.calibration().get("extrapolated_levels"));
        assertEquals(List.of(7, 7), bands.calibration().get("validation_errors_per_step"));
        assertEquals(List.of(7, 4), bands.calibration().get("independent_errors_per_step"));
        assertTrue(bands.describe().contains("on 7 validation forecasts per step (7 to 4 independent); 95 % "
                + "extrapolated"), bands.describe());
        assertTrue(bands.describe().contains("needs at least 19"), bands.describe());
    }

    @Test
    void conformalRankAndNormalQuantiles() {
        assertEquals(12, ForecastIntervals.rank(13, 0.8));
        assertEquals(19, ForecastIntervals.rank(19, 0.95));
        assertEquals(20, ForecastIntervals.rank(20, 0.95));
        assertEquals(1.959964, ForecastIntervals.normalQuantile(0.975), 1e-6);
        assertEquals(-2.326348, ForecastIntervals.normalQuantile(0.01), 1e-6);
        assertEquals(0, ForecastIntervals.normalQuantile(0.5), 1e-12);
        assertEquals(3, ForecastIntervals.conformal(new double[] {1, 2, 3, 4, 5}, 5, 0.4), 0);
        // 10 scores counting as 4 independent: rank ⌈5 × 0.6⌉ = 3 of 4, i.e. the score at 3/4 of the 10: the 8th.
        assertEquals(8, ForecastIntervals.conformal(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 4, 0.6), 0);
    }

    @Test
    void tiesShareTheirMeanRank() {
        assertArrayEquals(new double[] {0.5, 0.5, 2, 3}, ForecastIntervals.ranks(new double[] {1, 1, 2, 5}), 0);
    }
}
