package io.stepwise.runtime.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.TinyModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What training on a dated series adds to a forecast: intervals, dates, and the refusal of a short history. */
class ForecastIntervalsTest {
    private static final double[][] HISTORY = {{480, 10}, {520, 11.5}, {610, 15}, {590, 14}};

    @Test
    void intervalsAreTheStoredOffsetsInTheSeriesUnitsAndWidenWithTheStep() {
        try (RecurrentModel model = TinyModels.datedForecaster(5)) {
            Forecaster forecaster = new Forecaster(model);
            assertArrayEquals(new double[] {0.8, 0.95}, forecaster.intervalLevels());
            Forecast f = forecaster.forecast(HISTORY, 4);
            assertEquals(2, f.intervals().size());
            PredictionInterval p80 = f.interval(0.8).orElseThrow();
            assertEquals("80%", p80.label());
            // step 1: offsets (-0.5, +0.25) × std 80 on load, (-0.25, +0.25) × 4 on temperature
            assertEquals(f.value(1, 0) - 40, p80.lower(1, 0), 1e-9);
            assertEquals(f.value(1, 0) + 20, p80.upper(1, 0), 1e-9);
            assertEquals(f.value(1, 1) - 1, p80.lower(1, 1), 1e-9);
            // step 2 is stored; steps 3 and 4 keep step 2's width
            for (int step = 2; step <= 4; step++) {
                assertEquals(f.value(step, 0) - 80, p80.lower(step, 0), 1e-9);
                assertEquals(f.value(step, 0) + 40, p80.upper(step, 0), 1e-9);
            }
            PredictionInterval p95 = f.interval(0.95).orElseThrow();
            assertTrue(p95.upper(2, 0) - p95.lower(2, 0) > p80.upper(2, 0) - p80.lower(2, 0));
            try (ForecastStream stream = forecaster.openStream()) {
                stream.pushAll(HISTORY);
                Forecast live = stream.forecast(4);
                assertEquals(2, live.intervals().size());
                assertEquals(live.value(3, 0) - 80, live.interval(0.8).orElseThrow().lower(3, 0), 1e-9);
            }
        }
    }

    @Test
    void forecastStepsAreDatedInTheHistorysFormat() {
        try (RecurrentModel model = TinyModels.datedForecaster(5)) {
            Forecaster forecaster = new Forecaster(model);
            assertEquals(Frequency.MONTHLY, forecaster.frequency().orElseThrow());
            Forecast f = forecaster.forecast(HISTORY, 3, "2023-11");
            assertEquals(List.of("2023-12", "2024-01", "2024-02"), f.dates());
            assertEquals(forecaster.forecast(HISTORY, 3).values()[2][0], f.values()[2][0], 0);
            assertEquals(List.of("2024-01-31", "2024-02-29", "2024-03-31"),
                    forecaster.forecast(HISTORY, 3, "2023-12-31").dates());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> forecaster.forecast(HISTORY, 3, "last tuesday"));
            assertTrue(e.getMessage().contains("'last tuesday'"), e.getMessage());
        }
    }

    @Test
    void aHistoryShorterThanTheWindowIsRefusedWithTheNumberNeeded() {
        try (RecurrentModel model = TinyModels.datedForecaster(5)) {
            Forecaster forecaster = new Forecaster(model);
            assertEquals(3, forecaster.minimumHistory());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> forecaster.forecast(new double[][] {{480, 10}, {520, 11}}, 4));
            assertTrue(e.getMessage().startsWith("history: 2 step(s)"), e.getMessage());
            assertTrue(e.getMessage().contains("pass at least 3 steps"), e.getMessage());
            try (ForecastStream stream = forecaster.openStream()) {
                stream.push(417.3, 10);
                IllegalStateException s = assertThrows(IllegalStateException.class, () -> stream.forecast(4));
                assertTrue(s.getMessage().contains("push 2 more"), s.getMessage());
            }
            Forecaster lenient = forecaster.withMinimumHistory(1);
            assertEquals(4, lenient.forecast(new double[][] {{480, 10}}, 4).horizon());
            try (ForecastStream stream = lenient.openStream()) {
                stream.push(417.3, 10);
                assertEquals(4, stream.forecast(4).horizon());
            }
        }
    }
}
