package io.stepwise.conversion;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Random networks and inputs for the export tests, and a small ONNX Runtime wrapper to run exported models. */
final class ExportFixtures {
    static final int VOCABULARY = 11;
    static final int EMBEDDING = 4;
    static final int FEATURES = 3;
    static final int HIDDEN = 3;
    static final int OUTPUTS = 5;

    private ExportFixtures() {
    }

    static NetworkSpec spec(CellKind cell, int layers, InputKind input, boolean bidirectional) {
        NetworkSpec.Builder b = NetworkSpec.builder().setCell(cell).optLayers(layers).setHiddenSize(HIDDEN)
                .setOutputSize(OUTPUTS).optBidirectional(bidirectional)
                .optHead(bidirectional ? HeadKind.FINAL_STATE : HeadKind.PER_STEP);
        if (input == InputKind.TOKENS) {
            b.setTokenInput(VOCABULARY, EMBEDDING);
        } else {
            b.setFeatureInput(FEATURES);
        }
        return b.build();
    }

    /** Weights uniform in ±0.5, about PyTorch's default init scale for these sizes. */
    static NetworkWeights randomWeights(NetworkSpec spec, long seed) {
        Random random = new Random(seed);
        NetworkWeights.Builder b = NetworkWeights.builder(spec);
        if (spec.inputKind() == InputKind.TOKENS) {
            b.setEmbedding(uniform(random, spec.inputSize() * spec.embeddingSize(), 1f));
        }
        int rows = spec.cell().gateCount() * spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                b.setLayer(l, d, new LayerWeights(uniform(random, rows * spec.layerInputSize(l), 0.5f),
                        uniform(random, rows * spec.hiddenSize(), 0.5f), uniform(random, rows, 0.5f),
                        uniform(random, rows, 0.5f)));
            }
        }
        b.setHead(uniform(random, spec.outputSize() * spec.headInputSize(), 0.5f),
                uniform(random, spec.outputSize(), 0.5f));
        return b.build();
    }

    static ModelMetadata metadata(NetworkSpec spec) {
        Task task = spec.head() == HeadKind.FINAL_STATE ? Task.CLASSIFIER
                : spec.inputKind() == InputKind.TOKENS ? Task.LANGUAGE_MODEL : Task.FORECASTER;
        return ModelMetadata.builder().setTask(task).build();
    }

    static float[] uniform(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (random.nextFloat() * 2 - 1) * scale;
        }
        return a;
    }

    static float[][][] uniform3(Random random, int a, int b, int c, float scale) {
        float[][][] x = new float[a][b][];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                x[i][j] = uniform(random, c, scale);
            }
        }
        return x;
    }

    static long[][] tokens(Random random, int batch, int steps) {
        long[][] t = new long[batch][steps];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < steps; s++) {
                t[b][s] = random.nextInt(VOCABULARY);
            }
        }
        return t;
    }

    /** One loaded model; results come back as flat float arrays plus shapes. */
    static final class OrtModel implements AutoCloseable {
        private final OrtEnvironment env = OrtEnvironment.getEnvironment();
        private final OrtSession session;
        private boolean closed;

        OrtModel(byte[] model) throws OrtException {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                session = env.createSession(model, options);
            }
        }

        OrtSession session() {
            checkClosed();
            return session;
        }

        /** Runs with {@code input} (long[][] tokens or float[][][] features) and states [L·D][batch][H]. */
        Map<String, Tensor> run(NetworkSpec spec, Object input, float[][][] h0, float[][][] c0) throws OrtException {
            checkClosed();
            Map<String, OnnxTensor> feeds = new HashMap<>();
            try {
                if (input instanceof long[][] tokens) {
                    feeds.put("tokens", OnnxTensor.createTensor(env, LongBuffer.wrap(flatten(tokens)),
                            new long[]{tokens.length, tokens[0].length}));
                } else {
                    float[][][] f = (float[][][]) input;
                    feeds.put("features", tensor(f));
                }
                feeds.put("h0", tensor(h0));
                if (spec.cell().hasCellState()) {
                    feeds.put("c0", tensor(c0));
                }
                int batch = h0[0].length;
                int steps = input instanceof long[][] t ? t[0].length : ((float[][][]) input)[0].length;
                int[] lengths = new int[batch];
                java.util.Arrays.fill(lengths, steps);
                feeds.put(OnnxExporter.SEQUENCE_LENS, OnnxTensor.createTensor(env, java.nio.IntBuffer.wrap(lengths),
                        new long[] {batch}));
                Map<String, Tensor> out = new HashMap<>();
                try (OrtSession.Result result = session.run(feeds)) {
                    for (Map.Entry<String, OnnxValue> e : result) {
                        OnnxTensor t = (OnnxTensor) e.getValue();
                        FloatBuffer buffer = t.getFloatBuffer();
                        float[] data = new float[buffer.remaining()];
                        buffer.get(data);
                        out.put(e.getKey(), new Tensor(data, t.getInfo().getShape()));
                    }
                }
                return out;
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        }

        private OnnxTensor tensor(float[][][] x) throws OrtException {
            int a = x.length;
            int b = x[0].length;
            int c = x[0][0].length;
            float[] flat = new float[a * b * c];
            for (int i = 0; i < a; i++) {
                for (int j = 0; j < b; j++) {
                    System.arraycopy(x[i][j], 0, flat, (i * b + j) * c, c);
                }
            }
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(flat), new long[]{a, b, c});
        }

        private static long[] flatten(long[][] x) {
            long[] flat = new long[x.length * x[0].length];
            for (int i = 0; i < x.length; i++) {
                System.arraycopy(x[i], 0, flat, i * x[0].length, x[0].length);
            }
            return flat;
        }

        private void checkClosed() {
            if (closed) {
                throw new IllegalStateException("model: already closed");
            }
        }

        @Override
        public void close() throws OrtException {
            if (!closed) {
                closed = true;
                session.close();
            }
        }
    }

    /** A flat row-major tensor. */
    record Tensor(float[] data, long[] shape) {
        /** data[i·shape[1]·shape[2] + j·shape[2] + k] as a nested array [shape0][shape1][shape2]. */
        float[][][] as3d() {
            int a = (int) shape[0];
            int b = (int) shape[1];
            int c = (int) shape[2];
            float[][][] x = new float[a][b][c];
            for (int i = 0; i < a; i++) {
                for (int j = 0; j < b; j++) {
                    System.arraycopy(data, (i * b + j) * c, x[i][j], 0, c);
                }
            }
            return x;
        }
    }

    /** Largest |expected − actual| over a nested [a][b][c] array and a flat tensor of the same shape. */
    static double maxAbsDiff(double[][][] expected, Tensor actual) {
        int b = expected[0].length;
        int c = expected[0][0].length;
        long[] want = {expected.length, b, c};
        if (!java.util.Arrays.equals(want, actual.shape())) {
            throw new AssertionError("shape: expected " + java.util.Arrays.toString(want) + " but got "
                    + java.util.Arrays.toString(actual.shape()));
        }
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < b; j++) {
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, Math.abs(expected[i][j][k] - actual.data()[(i * b + j) * c + k]));
                }
            }
        }
        return max;
    }

    static List<CellKind> cells() {
        return List.of(CellKind.values());
    }
}
