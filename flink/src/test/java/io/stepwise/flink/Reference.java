package io.stepwise.flink;

import io.stepwise.runtime.Logits;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepSession;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The single-threaded truth the Flink tests compare against: each key's events stepped in order through its own
 * {@link StepSession}, the outputs computed from the model's scaling and the anomaly rule written out again here
 * (not through the operator's classes), so a mistake in either shows up as a difference.
 */
final class Reference {
    static final Path CO2_LSTM = Path.of("../models/co2-lstm.onnx");
    static final Path CO2_GRU = Path.of("../models/co2-gru.onnx");
    static final Path CO2_RNN = Path.of("../models/co2-rnn.onnx");
    static final Path CHARLM_GRU = Path.of("../models/charlm-gru.onnx");

    private Reference() {
    }

    /** Expected outputs per key for events already in per-key arrival order. */
    static Map<String, List<StepOutput>> run(Path modelFile, OutputMode mode, List<StepEvent> events,
                                             int errorWindow, int warmup) {
        Map<String, List<StepEvent>> byKey = new LinkedHashMap<>();
        for (StepEvent e : events) {
            byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
        }
        Map<String, List<StepOutput>> out = new LinkedHashMap<>();
        try (RecurrentModel model = RecurrentModel.load(modelFile); StepSession session = model.newSession()) {
            ModelInfo info = model.info();
            double[] mean = info.scaling().map(ModelInfo.Scaling::mean).orElse(null);
            double[] std = info.scaling().map(ModelInfo.Scaling::std).orElse(null);
            for (Map.Entry<String, List<StepEvent>> key : byKey.entrySet()) {
                session.reset();
                List<StepOutput> outputs = new ArrayList<>();
                double[] previous = null;
                double[] mse = null;
                long errors = 0;
                for (StepEvent e : key.getValue()) {
                    if (mode == OutputMode.NEXT_TOKEN_PROBABILITIES) {
                        outputs.add(new StepOutput(e.key(), e.timestamp(), session.position() + 1,
                                Logits.softmax(session.step(e.token())), new double[0], Double.NaN));
                        continue;
                    }
                    double[] x = e.values();
                    float[] scaled = new float[x.length];
                    for (int f = 0; f < x.length; f++) {
                        scaled[f] = (float) ((x[f] - mean[f]) / std[f]);
                    }
                    float[] y = session.step(scaled);
                    double[] next = new double[y.length];
                    for (int f = 0; f < y.length; f++) {
                        next[f] = y[f] * std[f] + mean[f];
                    }
                    if (mode == OutputMode.FORECAST) {
                        outputs.add(new StepOutput(e.key(), e.timestamp(), session.position(), next, new double[0],
                                Double.NaN));
                        continue;
                    }
                    double score = Double.NaN;
                    double[] expected = new double[0];
                    if (previous != null) {
                        expected = previous;
                        double alpha = 2.0 / (errorWindow + 1);
                        if (mse == null) {
                            mse = new double[x.length];
                        }
                        if (errors >= warmup) {
                            score = 0;
                        }
                        for (int f = 0; f < x.length; f++) {
                            double err = x[f] - previous[f];
                            if (errors >= warmup) {
                                score = Math.max(score, Math.abs(err) / Math.sqrt(mse[f]));
                            }
                            mse[f] = errors == 0 ? err * err : mse[f] + alpha * (err * err - mse[f]);
                        }
                        errors++;
                    }
                    outputs.add(new StepOutput(e.key(), e.timestamp(), session.position(), next, expected, score));
                    previous = next;
                }
                out.put(key.getKey(), outputs);
            }
        }
        return out;
    }

    /** Same key, time and position; values within {@code tol} (a bundle reorders float sums). */
    static void assertClose(StepOutput expected, StepOutput actual, double tol) {
        String where = actual.toString();
        assertEquals(expected.key(), actual.key(), where);
        assertEquals(expected.timestamp(), actual.timestamp(), where);
        assertEquals(expected.position(), actual.position(), where);
        assertArrayClose(expected.values(), actual.values(), tol, where);
        assertArrayClose(expected.expected(), actual.expected(), tol, where);
        if (Double.isNaN(expected.anomalyScore())) {
            assertEquals(Double.NaN, actual.anomalyScore(), where);
        } else {
            assertEquals(expected.anomalyScore(), actual.anomalyScore(),
                    tol * 100 * Math.max(1, Math.abs(expected.anomalyScore())), where);
        }
    }

    static void assertArrayClose(double[] expected, double[] actual, double tol, String where) {
        assertEquals(expected.length, actual.length, where + ": " + Arrays.toString(actual));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), where + " [" + i + "]");
        }
    }

    /** A deterministic CO2-like series per key: {@code steps} rounds of one event for each of {@code keys} keys. */
    static List<StepEvent> series(int keys, int steps, long seed) {
        List<StepEvent> events = new ArrayList<>(keys * steps);
        for (long i = 0; i < (long) keys * steps; i++) {
            events.add(event(i, keys, seed));
        }
        return events;
    }

    /**
     * Event {@code index} of the interleaved series (round index / keys, key index % keys), a pure function so that
     * a Flink source can generate it anywhere: a level, a trend, a yearly cycle and a little noise.
     */
    static StepEvent event(long index, int keys, long seed) {
        int k = (int) (index % keys);
        long t = index / keys;
        double noise = new java.util.SplittableRandom(seed * 1_000_003L + k * 100_003L + t).nextGaussian();
        double v = 330 + (k * 37 % 80) + 0.04 * t + 3 * Math.sin(2 * Math.PI * (t + k) / 52.0) + 0.3 * noise;
        return StepEvent.observation("sensor-" + k, 1_000L * (t + 1), v);
    }
}
