package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeasonalNaiveTest {
    @Test
    void repeatsTheLastSeason() {
        double[] history = {1, 2, 3, 4, 5, 6, 7};
        assertArrayEquals(new double[] {5, 6, 7, 5, 6, 7, 5}, SeasonalNaive.forecast(history, 3, 7));
        assertArrayEquals(new double[] {7, 7}, SeasonalNaive.forecast(history, 1, 2));
        assertArrayEquals(new double[] {2, 3, 4}, SeasonalNaive.oneStepAhead(history, 4, 7, 3));
    }

    @Test
    void inSampleMaeIsTheMeanSeasonalDifference() {
        assertEquals(3.0, SeasonalNaive.inSampleMae(new double[] {1, 2, 3, 4, 5, 6, 7}, 3), 1e-12);
        assertEquals((1 + 3 + 1) / 3.0, SeasonalNaive.inSampleMae(new double[] {0, 1, 4, 3}, 1), 1e-12);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> SeasonalNaive.forecast(new double[] {1}, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> SeasonalNaive.inSampleMae(new double[] {1, 2}, 2));
        assertThrows(IllegalArgumentException.class, () -> SeasonalNaive.inSampleMae(new double[] {1, 1, 1}, 1));
        assertThrows(IllegalArgumentException.class, () -> SeasonalNaive.oneStepAhead(new double[5], 1, 5, 2));
    }

    @Test
    void co2HeldOutTail() {
        TimeSeries.Interpolation filled = SeriesCsv.read(TestData.co2()).interpolate();
        double[] co2 = filled.series().column(0);
        SeriesSplit split = SeriesSplit.ofTail(co2.length, 104, 104);
        double[] train = split.train(co2);
        double[] test = split.test(co2);
        double[] history = java.util.Arrays.copyOfRange(co2, 0, split.testStart());
        double scale = SeasonalNaive.inSampleMae(train, 52);

        Metrics.Forecast multi = Metrics.forecast(test, SeasonalNaive.forecast(history, 52, 104), train, 52);
        Metrics.Forecast rolling = Metrics.forecast(test,
                SeasonalNaive.oneStepAhead(co2, split.testStart(), co2.length, 52), train, 52);
        Metrics.Forecast validation = Metrics.forecast(split.validation(co2),
                SeasonalNaive.forecast(split.train(co2), 52, 104), train, 52);
        System.out.printf("CO2 seasonal naive (m=52), in-sample scale %.4f ppm, %d values filled (0 in test)%n",
                scale, filled.filledCount());
        System.out.printf("  test tail, 104-step forecast from 1999-12-25: MAE %.4f RMSE %.4f MASE %.4f%n",
                multi.mae(), multi.rmse(), multi.mase());
        System.out.printf("  test tail, rolling y[t-52]:                   MAE %.4f RMSE %.4f MASE %.4f%n",
                rolling.mae(), rolling.rmse(), rolling.mase());
        System.out.printf("  validation, 104-step forecast:                MAE %.4f RMSE %.4f MASE %.4f%n",
                validation.mae(), validation.rmse(), validation.mase());
        // CO2 rises by ~1.5 ppm a year, so repeating last year is off by about that much, more in year two.
        assertTrue(multi.mae() > 1 && multi.mae() < 5, "MAE " + multi.mae());
        assertTrue(rolling.mae() < multi.mae(), "rolling uses fresher values");
        assertEquals(multi.mae() / scale, multi.mase(), 1e-12);
    }
}
