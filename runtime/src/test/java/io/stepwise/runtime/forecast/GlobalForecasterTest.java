package io.stepwise.runtime.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.TinyModels;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One model over several series: the series is picked by key, scaled its own way, and named in the forecast. */
class GlobalForecasterTest {
    private static final double[][] NORTH = {{480, 10}, {520, 11.5}, {610, 15}, {590, 14}};

    @Test
    void eachSeriesIsScaledWithItsOwnTableAndNamedInTheForecast() {
        try (RecurrentModel model = TinyModels.globalForecaster(5)) {
            Forecaster global = new Forecaster(model);
            assertEquals(List.of("north", "south"), global.seriesKeys());
            assertEquals(Optional.of("store"), global.seriesColumn());
            assertTrue(model.info().toString().contains("2 in column 'store', each scaled its own way"),
                    model.info().toString());
            Forecast north = global.forSeries("north").forecast(NORTH, 4, "2023-11");
            assertEquals(Optional.of("north"), north.seriesKey());
            assertEquals(List.of("2023-12", "2024-01", "2024-02", "2024-03"), north.dates());
            // South is north at a tenth of the scale: the same model inputs, so the same forecast at a tenth.
            double[][] south = new double[NORTH.length][];
            for (int t = 0; t < NORTH.length; t++) {
                south[t] = new double[] {NORTH[t][0] / 10, NORTH[t][1] / 10};
            }
            Forecast s = global.forSeries("south").forecast(south, 4);
            assertEquals(Optional.of("south"), s.seriesKey());
            for (int h = 1; h <= 4; h++) {
                assertEquals(north.value(h, 0) / 10, s.value(h, 0), 1e-3);
            }
            // Relative intervals: bound = forecast ± share × |forecast|, so they scale with the series' level too.
            PredictionInterval band = north.interval(0.8).orElseThrow();
            assertEquals(north.value(1, 0) * 0.9, band.lower(1, 0), 1e-9);
            assertEquals(north.value(3, 0) + 0.2 * Math.abs(north.value(3, 0)), band.upper(3, 0), 1e-9);
            assertEquals(band.upper(3, 0) / 10, s.interval(0.8).orElseThrow().upper(3, 0), 1e-3);
            try (ForecastStream stream = global.forSeries("south").openStream()) {
                for (double[] row : south) {
                    stream.push(row);
                }
                assertArrayEquals(s.series(0), stream.forecast(4).series(0), 1e-4);
            }
        }
    }

    @Test
    void aGlobalModelRefusesToForecastBeforeASeriesIsPickedAndRefusesUnknownKeys() {
        try (RecurrentModel model = TinyModels.globalForecaster(5)) {
            Forecaster global = new Forecaster(model);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> global.forecast(NORTH, 2));
            assertTrue(e.getMessage().startsWith("series: the model was trained on 2 series (column 'store')"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("forSeries(key)") && e.getMessage().contains("[north, south]"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, global::openStream);
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> global.forSeries("east"));
            assertTrue(unknown.getMessage().contains("not trained on store 'east'"), unknown.getMessage());
        }
        try (RecurrentModel single = TinyModels.datedForecaster(5)) {
            Forecaster forecaster = new Forecaster(single);
            assertEquals(List.of(), forecaster.seriesKeys());
            assertEquals(Optional.empty(), forecaster.forecast(NORTH, 2).seriesKey());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> forecaster.forSeries("north"));
            assertTrue(e.getMessage().contains("single series"), e.getMessage());
        }
    }
}
