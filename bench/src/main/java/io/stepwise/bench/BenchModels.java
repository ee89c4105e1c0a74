package io.stepwise.bench;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import java.util.Random;

/**
 * The benchmark models: a character-level language model (token input, per-step head over the vocabulary) of a
 * given cell, hidden size and depth, with seeded random weights, so every implementation in every JVM fork runs
 * exactly the same network.
 */
public final class BenchModels {
    /** Vocabulary of the benchmark language model (a typical character set). */
    public static final int VOCABULARY = 128;
    /** Embedding width of the benchmark language model. */
    public static final int EMBEDDING = 64;
    /** Seed of every benchmark model's weights. */
    public static final long SEED = 20240611L;

    private BenchModels() {
    }

    /** A language model: {@value #VOCABULARY} tokens → embedding {@value #EMBEDDING} → cells → head. */
    public static NetworkSpec spec(String cell, int hidden, int layers) {
        return NetworkSpec.builder().setCell(CellKind.fromId(cell)).setHiddenSize(hidden).optLayers(layers)
                .setTokenInput(VOCABULARY, EMBEDDING).setOutputSize(VOCABULARY).build();
    }

    /** Weights uniform in ±1/√H (PyTorch's default initialisation scale), embedding in ±1, from {@link #SEED}. */
    public static NetworkWeights weights(NetworkSpec spec) {
        Random random = new Random(SEED);
        float bound = (float) (1.0 / Math.sqrt(spec.hiddenSize()));
        int rows = spec.cell().gateCount() * spec.hiddenSize();
        NetworkWeights.Builder b = NetworkWeights.builder(spec)
                .setEmbedding(uniform(random, spec.inputSize() * spec.embeddingSize(), 1f));
        for (int l = 0; l < spec.layers(); l++) {
            b.setLayer(l, 0, new LayerWeights(uniform(random, rows * spec.layerInputSize(l), bound),
                    uniform(random, rows * spec.hiddenSize(), bound), uniform(random, rows, bound),
                    uniform(random, rows, bound)));
        }
        return b.setHead(uniform(random, spec.outputSize() * spec.headInputSize(), bound),
                uniform(random, spec.outputSize(), bound)).build();
    }

    /** The Stepwise ONNX file of {@code spec} with {@link #weights}. */
    public static byte[] onnx(NetworkSpec spec) {
        return onnx(spec, weights(spec));
    }

    public static byte[] onnx(NetworkSpec spec, NetworkWeights weights) {
        return OnnxExporter.builder().build().toBytes(spec, weights,
                ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL).build());
    }

    /** The token fed at step {@code i}: a fixed pseudo-random walk over the vocabulary, cheap to compute. */
    public static int token(long i) {
        return (int) ((i * 0x9E3779B1L >>> 7) % VOCABULARY);
    }

    /**
     * Multiply-adds of one step, counted as 2 FLOPs each: per layer 2·G·H·(in + H) for the input and recurrent
     * products (G gates), plus 2·H·O for the head. Element-wise gate arithmetic and the embedding lookup are
     * left out (O(G·H), small next to the products).
     */
    public static double forwardFlopsPerToken(NetworkSpec spec) {
        double flops = 0;
        int g = spec.cell().gateCount();
        int h = spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            flops += 2.0 * g * h * (spec.layerInputSize(l) + h);
        }
        return flops + 2.0 * spec.headInputSize() * spec.outputSize();
    }

    private static float[] uniform(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (random.nextFloat() * 2 - 1) * scale;
        }
        return a;
    }
}
