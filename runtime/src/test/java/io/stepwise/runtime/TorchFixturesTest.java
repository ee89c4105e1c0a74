package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Models exported by {@code torch.onnx.export} (scripts/make_torch_fixtures.py), bound with a
 * {@link ModelSignature} and compared with PyTorch's own outputs, batched and stepped.
 */
class TorchFixturesTest {
    private static final double TOLERANCE = 1e-5;

    @Test
    void lstmLanguageModelMatchesPyTorch() {
        Map<String, Object> fx = fixture("lstm_lm.json");
        ModelSignature sig = ModelSignature.builder().input("tokens").output("logits")
                .state("h0", "hn").state("c0", "cn").optVocabularySize(11)
                .optTask(ModelFormat.Task.LANGUAGE_MODEL).build();
        try (RecurrentModel model = RecurrentModel.fromResource("fixtures/lstm_lm.onnx", sig, RuntimeOptions.defaults())) {
            ModelInfo info = model.info();
            assertEquals(ModelFormat.Cell.LSTM, info.cell());
            assertEquals(2, info.layers());
            assertEquals(6, info.hiddenSize());
            assertEquals(11, info.inputSize());
            assertEquals(11, info.outputSize());
            assertTrue(info.isTokenInput());
            assertTrue(info.hasCellState());
            assertEquals(ModelFormat.Task.LANGUAGE_MODEL, info.task());

            Map<String, Object> batch = section(fx, "batch");
            long[] tokenShape = shape(batch, "tokens");
            long[] flat = longs(batch, "tokens");
            int b = (int) tokenShape[0];
            int s = (int) tokenShape[1];
            long[][] tokens = new long[b][s];
            for (int i = 0; i < b; i++) {
                System.arraycopy(flat, i * s, tokens[i], 0, s);
            }
            BatchResult r = model.forward(tokens, floats(batch, "h0"), floats(batch, "c0"));
            assertArrayEquals(shape(batch, "output"), r.outputShape());
            assertClose(floats(batch, "output"), r.output(), "logits");
            assertClose(floats(batch, "hn"), r.hn(), "hn");
            assertClose(floats(batch, "cn"), r.cn(), "cn");

            Map<String, Object> stepped = section(fx, "stepped");
            long[] ids = longs(stepped, "tokens");
            float[] expected = floats(stepped, "outputs");
            try (StepSession session = model.newSession(); StepSession fed = model.newSession()) {
                for (int t = 0; t < ids.length; t++) {
                    float[] out = session.step((int) ids[t]);
                    assertClose(slice(expected, t, 11), out, "step " + t);
                }
                assertClose(floats(stepped, "hn"), session.snapshot().hidden(), "stepped hn");
                assertClose(floats(stepped, "cn"), session.snapshot().cell().orElseThrow(), "stepped cn");
                int[] asInts = new int[ids.length];
                for (int t = 0; t < ids.length; t++) {
                    asInts[t] = (int) ids[t];
                }
                float[][] rows = fed.feed(asInts);
                for (int t = 0; t < ids.length; t++) {
                    assertClose(slice(expected, t, 11), rows[t], "feed row " + t);
                }
                assertEquals(ids.length, fed.position());
            }
        }
    }

    @Test
    void sequenceFirstGruOnFeaturesMatchesPyTorch() {
        Map<String, Object> fx = fixture("gru_features.json");
        ModelSignature sig = ModelSignature.builder().input("features").output("values").state("h0", "hn")
                .optBatchFirst(false).build();
        try (RecurrentModel model = RecurrentModel.fromResource("/fixtures/gru_features.onnx", sig,
                RuntimeOptions.defaults())) {
            ModelInfo info = model.info();
            assertEquals(ModelFormat.Cell.GRU, info.cell());
            assertEquals(3, info.inputSize());
            assertEquals(2, info.outputSize());
            assertEquals(ModelFormat.Task.UNKNOWN, info.task());

            Map<String, Object> batch = section(fx, "batch");
            long[] xs = shape(batch, "features");
            float[] flat = floats(batch, "features");
            int b = (int) xs[0];
            int s = (int) xs[1];
            int f = (int) xs[2];
            float[][][] x = new float[b][s][f];
            for (int i = 0; i < b; i++) {
                for (int t = 0; t < s; t++) {
                    System.arraycopy(flat, (i * s + t) * f, x[i][t], 0, f);
                }
            }
            BatchResult r = model.forward(x, floats(batch, "h0"), null);
            assertArrayEquals(shape(batch, "output"), r.outputShape());
            assertClose(floats(batch, "output"), r.output(), "values");
            assertClose(floats(batch, "hn"), r.hn(), "hn");
            assertNull(r.cn());

            Map<String, Object> stepped = section(fx, "stepped");
            float[] steps = floats(stepped, "features");
            float[] expected = floats(stepped, "outputs");
            int n = expected.length / 2;
            try (StepSession session = model.newSession()) {
                for (int t = 0; t < n; t++) {
                    float[] in = slice(steps, t, f);
                    assertClose(slice(expected, t, 2), session.step(in), "step " + t);
                }
                assertClose(floats(stepped, "hn"), session.snapshot().hidden(), "stepped hn");
            }
        }
    }

    // ---- helpers

    static void assertArrayEquals(long[] expected, long[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual);
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOLERANCE, what + " [" + i + "]");
        }
    }

    private static float[] slice(float[] a, int row, int width) {
        float[] r = new float[width];
        System.arraycopy(a, row * width, r, 0, width);
        return r;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fixture(String name) {
        try (InputStream in = TorchFixturesTest.class.getResourceAsStream("/fixtures/" + name)) {
            return (Map<String, Object>) JsonReader.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> fx, String key) {
        return (Map<String, Object>) fx.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> data(Map<String, Object> m, String key, String field) {
        return (List<Object>) ((Map<String, Object>) m.get(key)).get(field);
    }

    private static long[] shape(Map<String, Object> m, String key) {
        return data(m, key, "shape").stream().mapToLong(v -> ((Number) v).longValue()).toArray();
    }

    private static long[] longs(Map<String, Object> m, String key) {
        return data(m, key, "data").stream().mapToLong(v -> ((Number) v).longValue()).toArray();
    }

    private static float[] floats(Map<String, Object> m, String key) {
        List<Object> d = data(m, key, "data");
        float[] r = new float[d.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ((Number) d.get(i)).floatValue();
        }
        return r;
    }
}
