package io.stepwise.runtime.forecast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.FakeSession;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.RecordingSource;
import io.stepwise.runtime.StepSession;
import io.stepwise.runtime.TinyModels;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ForecasterTest {
    private static final double[] MEAN = {100, -5};
    private static final double[] STD = {20, 0.5};
    private static final List<String> NAMES = List.of("sales", "temperature");

    /** Persistence: predicts that the next step equals the current one. */
    private static final Function<List<Object>, float[]> PERSISTENCE = h -> ((float[]) h.get(h.size() - 1)).clone();

    /** Depends on the whole history: 0.8·x + 0.1·(running mean of x) + 0.05·feature index. */
    private static final Function<List<Object>, float[]> MIXING = h -> {
        float[] x = (float[]) h.get(h.size() - 1);
        float[] out = new float[x.length];
        for (int f = 0; f < x.length; f++) {
            double sum = 0;
            for (Object o : h) {
                sum += ((float[]) o)[f];
            }
            out[f] = (float) (0.8 * x[f] + 0.1 * sum / h.size() + 0.05 * f);
        }
        return out;
    };

    private static Forecaster forecaster(Function<List<Object>, float[]> model, List<FakeSession> opened) {
        return new Forecaster(NAMES, MEAN, STD, OptionalInt.of(3), () -> {
            FakeSession s = new FakeSession(model);
            opened.add(s);
            return s;
        });
    }

    private static Forecaster forecaster(Function<List<Object>, float[]> model) {
        return forecaster(model, new ArrayList<>());
    }

    @Test
    void persistenceForecastRoundTripsTheScaling() {
        double[][] history = {{120, -4.5}, {90, -5.25}, {133.3, -6.1}};
        Forecast f = forecaster(PERSISTENCE).forecast(history, 4);
        assertEquals(4, f.horizon());
        for (int h = 1; h <= 4; h++) {
            assertEquals(133.3, f.value(h, 0), 1e-4);
            assertEquals(-6.1, f.value(h, 1), 1e-6);
        }
        assertArrayEquals(new double[] {-6.1, -6.1, -6.1, -6.1}, f.series("temperature"), 1e-6);
        assertEquals(NAMES, f.featureNames());
        assertEquals(3, f.historyLength());
        assertEquals(0, f.filledValues());
    }

    @Test
    void forecastEqualsManualStepping() {
        double[][] history = {{110, -5.2}, {95, -4.9}, {102, -5.6}, {130, -5.0}};
        int horizon = 5;
        Forecast f = forecaster(MIXING).forecast(history, horizon);

        FakeSession manual = new FakeSession(MIXING);
        float[] out = null;
        for (double[] row : history) {
            out = manual.step(new float[] {(float) ((row[0] - MEAN[0]) / STD[0]), (float) ((row[1] - MEAN[1]) / STD[1])});
        }
        for (int h = 0; h < horizon; h++) {
            assertEquals(out[0] * STD[0] + MEAN[0], f.values()[h][0], 1e-9);
            assertEquals(out[1] * STD[1] + MEAN[1], f.values()[h][1], 1e-9);
            out = manual.step(out);
        }
    }

    @Test
    void defaultHorizonComesFromTheMetadata() {
        assertEquals(3, forecaster(PERSISTENCE).forecast(new double[][] {{1, 2}}).horizon());
    }

    @Test
    void missingValuesAreInterpolatedLinearlyAndEdgesCarried() {
        double n = Double.NaN;
        double[][] rows = {{n, 7}, {1, n}, {n, n}, {n, 1}, {4, n}, {n, n}};
        int filled = HistoryChecks.fillMissing(rows, NAMES);
        assertArrayEquals(new double[] {1, 1, 2, 3, 4, 4}, column(rows, 0), 1e-12);
        assertArrayEquals(new double[] {7, 5, 3, 1, 1, 1}, column(rows, 1), 1e-12);
        assertEquals(8, filled);
    }

    @Test
    void forecastWithGapsEqualsForecastOfTheFilledHistory() {
        double n = Double.NaN;
        double[][] gappy = {{100, n}, {n, -5}, {120, -4}, {n, n}, {90, -6}};
        double[][] filled = {{100, -5}, {110, -5}, {120, -4}, {105, -5}, {90, -6}};
        Forecast a = forecaster(MIXING).forecast(gappy, 3);
        Forecast b = forecaster(MIXING).forecast(filled, 3);
        assertArrayEquals(b.values()[2], a.values()[2], 1e-9);
        assertEquals(4, a.filledValues());
    }

    @Test
    void refusesBadHistories() {
        Forecaster f = forecaster(PERSISTENCE);
        double n = Double.NaN;
        assertMessage("history: feature 'temperature'", () -> f.forecast(new double[][] {{1, n}, {2, n}}, 1));
        assertMessage("history row 1", () -> f.forecast(new double[][] {{1, 2}, {Double.POSITIVE_INFINITY, 2}}, 1));
        assertMessage("history", () -> f.forecast(new double[0][], 1));
        assertMessage("history row 0", () -> f.forecast(new double[][] {{1, 2, 3}}, 1));
        assertMessage("horizon", () -> f.forecast(new double[][] {{1, 2}}, 0));
        assertMessage("history", () -> f.forecast(new double[] {1, 2}, 1));
    }

    @Test
    void oneDimensionalHistoryForSingleFeatureModels() {
        Forecaster single = new Forecaster(List.of("y"), new double[] {10}, new double[] {2}, OptionalInt.empty(),
                () -> new FakeSession(PERSISTENCE));
        Forecast f = single.forecast(new double[] {3, Double.NaN, 8}, 2);
        assertArrayEquals(new double[] {8, 8}, f.series(0), 1e-6);
        assertEquals(1, f.filledValues());
        assertMessage("horizon", () -> single.forecast(new double[][] {{1}}));
    }

    @Test
    void eachForecastClosesItsSession() {
        List<FakeSession> opened = new ArrayList<>();
        forecaster(MIXING, opened).forecast(new double[][] {{1, 2}, {3, 4}}, 3);
        assertEquals(1, opened.size());
        assertEquals(1, opened.get(0).closes());
        // Two history steps, then two fed-back predictions (the last prediction is never fed).
        assertEquals(4, opened.get(0).steps());
    }

    @Test
    void streamMatchesBatchForecastAndLookAheadDoesNotDisturbIt() {
        double[][] history = {{110, -5.2}, {95, -4.9}, {102, -5.6}, {130, -5.0}, {125, -5.1}};
        Forecaster forecaster = forecaster(MIXING);
        try (ForecastStream stream = forecaster.openStream()) {
            assertThrows(IllegalStateException.class, () -> stream.forecast(1));
            for (int t = 0; t < history.length; t++) {
                stream.push(history[t]);
                double[][] prefix = java.util.Arrays.copyOf(history, t + 1);
                Forecast expected = forecaster.forecast(prefix, 3);
                Forecast peek = stream.forecast(3);
                assertEquals(expected.values().length, peek.values().length);
                for (int h = 0; h < 3; h++) {
                    assertArrayEquals(expected.values()[h], peek.values()[h], 1e-9);
                }
                assertEquals(peek, stream.forecast(3), "a second look-ahead must see the same state");
            }
            assertEquals(5, stream.observations());
            stream.reset();
            assertEquals(0, stream.observations());
            stream.push(history[0]);
            assertArrayEquals(forecaster.forecast(new double[][] {history[0]}, 2).values()[1],
                    stream.forecast(2).values()[1], 1e-9);
        }
    }

    @Test
    void streamFillsMissingValuesWithTheModelsPrediction() {
        Forecaster forecaster = forecaster(MIXING);
        try (ForecastStream stream = forecaster.openStream()) {
            assertMessage("observation 0", () -> stream.push(100, Double.NaN));
            stream.push(100, -5);
            double[] predicted = stream.forecast(1).values()[0];
            stream.push(Double.NaN, -4);
            assertEquals(1, stream.filledValues());
            Forecast viaStream = stream.forecast(2);
            Forecast viaBatch = forecaster.forecast(new double[][] {{100, -5}, {predicted[0], -4}}, 2);
            assertArrayEquals(viaBatch.values()[1], viaStream.values()[1], 1e-4);
            assertMessage("observation 2", () -> stream.push(Double.NEGATIVE_INFINITY, 1));
        }
    }

    @Test
    void closedStreamRefusesUseAndCloseIsIdempotent() {
        List<FakeSession> opened = new ArrayList<>();
        ForecastStream stream = forecaster(PERSISTENCE, opened).openStream();
        stream.close();
        stream.close();
        assertEquals(1, opened.get(0).closes());
        assertThrows(IllegalStateException.class, () -> stream.push(1, 2));
    }

    private static double[] column(double[][] rows, int f) {
        double[] out = new double[rows.length];
        for (int t = 0; t < rows.length; t++) {
            out[t] = rows[t][f];
        }
        return out;
    }

    private static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().startsWith(prefix), x.getMessage());
    }

    @Test
    void runsUnchangedOnAnySessionSource() {
        try (RecurrentModel model = TinyModels.forecaster(3)) {
            RecordingSource front = new RecordingSource(model);
            double[][] history = {{480, 10}, {520, 11.5}, {610, 15}};
            assertEquals(new Forecaster(model).forecast(history, 3), new Forecaster(front).forecast(history, 3));
            try (ForecastStream stream = new Forecaster(front).openStream()) {
                stream.pushAll(history);
                assertEquals(new Forecaster(model).forecast(history, 2).values()[1][0], stream.forecast(2).value(2, 0),
                        1e-3);
            }
            assertEquals(2, front.opened().size());
            assertTrue(front.opened().stream().allMatch(Session::isClosed), "forecasts and streams close their sessions");
        }
    }

    @Test
    void endToEndForecastMatchesManualSteppingOfARealModel() {
        try (RecurrentModel model = TinyModels.forecaster(2)) {
            Forecaster forecaster = new Forecaster(model);
            assertEquals(List.of("load", "temperature"), forecaster.featureNames());
            assertEquals(4, forecaster.defaultHorizon().getAsInt());
            double[][] history = {{480, 10}, {520, 11.5}, {610, 15}, {590, 14}, {505, 12.5}, {470, 9}};
            Forecast forecast = forecaster.forecast(history);
            assertEquals(4, forecast.horizon());

            double[] mean = {500, 12};
            double[] std = {80, 4};
            float[][] scaled = new float[history.length][2];
            for (int t = 0; t < history.length; t++) {
                for (int f = 0; f < 2; f++) {
                    scaled[t][f] = (float) ((history[t][f] - mean[f]) / std[f]);
                }
            }
            try (StepSession s = model.newSession()) {
                float[][] rows = s.feed(scaled);
                float[] next = rows[rows.length - 1];
                for (int h = 1; h <= 4; h++) {
                    for (int f = 0; f < 2; f++) {
                        assertEquals(next[f] * std[f] + mean[f], forecast.value(h, f), 1e-9);
                    }
                    next = s.step(next);
                }
            }
            float[] batchLast = model.forward(new float[][][] {scaled}, null, null).outputAt(0, history.length - 1);
            assertEquals(batchLast[0] * std[0] + mean[0], forecast.value(1, 0), 1e-3);

            try (ForecastStream stream = forecaster.openStream()) {
                stream.pushAll(history);
                Forecast live = stream.forecast(4);
                for (int h = 1; h <= 4; h++) {
                    assertEquals(forecast.value(h, 0), live.value(h, 0), 1e-3);
                    assertEquals(forecast.value(h, 1), live.value(h, 1), 1e-4);
                }
                stream.reset();
                stream.pushAll(history);
                assertEquals(live, stream.forecast(4));
            }
            assertEquals(0, model.openSessions());
        }
    }
}
