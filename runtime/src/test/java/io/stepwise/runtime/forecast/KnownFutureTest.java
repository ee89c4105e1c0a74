package io.stepwise.runtime.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Covariates known in advance: given over the horizon, fed instead of the model's own predictions of them. */
class KnownFutureTest {
    private static final double[][] HISTORY = {{480, 10}, {520, 11.5}, {610, 15}, {590, 14}};

    @Test
    void theGivenFutureIsFedToTheModelAndReported() {
        try (RecurrentModel model = TinyModels.knownFutureForecaster(5)) {
            Forecaster forecaster = new Forecaster(model);
            assertEquals(List.of("temperature"), forecaster.knownFeatures());
            Forecast warm = forecaster.forecast(HISTORY, new double[][] {{20}, {22}, {25}}, "2023-11");
            assertEquals(3, warm.horizon());
            assertEquals(List.of("2023-12", "2024-01", "2024-02"), warm.dates());
            assertArrayEquals(new double[] {20, 22, 25}, warm.series("temperature"), 0);
            Forecast cold = forecaster.forecast(HISTORY, new double[][] {{-5}, {-8}, {-10}});
            // The first step depends on the history only; later ones read the given temperatures.
            assertEquals(warm.value(1, 0), cold.value(1, 0), 0);
            assertNotEquals(warm.value(2, 0), cold.value(2, 0), 1e-6);
            try (ForecastStream stream = forecaster.openStream()) {
                for (double[] row : HISTORY) {
                    stream.push(row);
                }
                assertArrayEquals(cold.series(0), stream.forecast(new double[][] {{-5}, {-8}, {-10}}).series(0),
                        1e-4);
                assertThrows(IllegalArgumentException.class, () -> stream.forecast(3));
            }
        }
    }

    @Test
    void aForecastWithoutTheKnownValuesOrWithBadOnesIsRefused() {
        try (RecurrentModel model = TinyModels.knownFutureForecaster(5)) {
            Forecaster forecaster = new Forecaster(model);
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> forecaster.forecast(HISTORY, 3));
            assertTrue(none.getMessage().contains("future values of [temperature] known in advance"),
                    none.getMessage());
            assertThrows(IllegalArgumentException.class, () -> forecaster.forecast(HISTORY, 3, "2023-11"));
            IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                    () -> forecaster.forecast(HISTORY, new double[][] {{20}, {21, 3}}));
            assertTrue(wide.getMessage().startsWith("knownFuture: step 2 should hold 1 values [temperature]"),
                    wide.getMessage());
            IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                    () -> forecaster.forecast(HISTORY, new double[][] {{Double.NaN}}));
            assertTrue(nan.getMessage().contains("'temperature' is NaN"), nan.getMessage());
        }
        try (RecurrentModel plain = TinyModels.datedForecaster(5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Forecaster(plain).forecast(HISTORY, new double[][] {{20}}));
            assertTrue(e.getMessage().contains("no covariates known in advance"), e.getMessage());
        }
    }
}
