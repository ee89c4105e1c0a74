package io.stepwise.runtime;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small randomly initialised models, exported with the real exporter, for end-to-end tests of the task helpers. */
public final class TinyModels {
    public static final List<String> LETTERS = List.of("a", "b", "c", "d", "e", "f", "g", "h", " ", "\n");

    private TinyModels() {
    }

    /** A 2-layer LSTM character language model over {@link #LETTERS}. */
    public static RecurrentModel languageModel(long seed) {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).optLayers(2).setHiddenSize(8)
                .setTokenInput(LETTERS.size(), 5).setOutputSize(LETTERS.size()).build();
        ModelMetadata meta = ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL).optVocabulary(LETTERS).build();
        return load(spec, meta, seed, 1.5f);
    }

    /** A GRU forecaster over two features with non-trivial scaling and a stored horizon of 4. */
    public static RecurrentModel forecaster(long seed) {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(6).setFeatureInput(2)
                .setOutputSize(2).build();
        ModelMetadata meta = ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("load", "temperature")).optTargetNames(List.of("load", "temperature"))
                .optScaling(new double[] {500, 12}, new double[] {80, 4}).optForecast(Map.of("horizon", 4))
                .build();
        return load(spec, meta, seed, 0.6f);
    }

    /**
     * The {@link #forecaster(long)} network with what training on a dated series adds: a window of 3, monthly
     * frequency and 80%/95% intervals whose offsets widen with the step (2 steps stored).
     */
    public static RecurrentModel datedForecaster(long seed) {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(6).setFeatureInput(2)
                .setOutputSize(2).build();
        ModelMetadata meta = ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("load", "temperature")).optTargetNames(List.of("load", "temperature"))
                .optScaling(new double[] {500, 12}, new double[] {80, 4})
                .optForecast(Map.of("horizon", 4, "window", 3, "season", 12))
                .optFrequency(io.stepwise.conversion.Frequency.MONTHLY)
                .optIntervals("validation_residual_quantiles", new double[] {0.8, 0.95},
                        new double[][][] {{{-0.5, -0.25}, {-1, -0.5}}, {{-1, -0.5}, {-2, -1}}},
                        new double[][][] {{{0.25, 0.25}, {0.5, 0.5}}, {{1, 0.5}, {2, 1}}})
                .build();
        return load(spec, meta, seed, 0.6f);
    }

    /** {@link #datedForecaster}'s network with temperature known in advance ({@code known_features}). */
    public static RecurrentModel knownFutureForecaster(long seed) {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(6).setFeatureInput(2)
                .setOutputSize(2).build();
        ModelMetadata meta = ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("load", "temperature")).optTargetNames(List.of("load", "temperature"))
                .optScaling(new double[] {500, 12}, new double[] {80, 4})
                .optForecast(Map.of("horizon", 4, "window", 3, "season", 12, "known_features", List.of("temperature")))
                .optFrequency(io.stepwise.conversion.Frequency.MONTHLY)
                .build();
        return load(spec, meta, seed, 0.6f);
    }

    /**
     * {@link #datedForecaster}'s network as a global model over two stores: store "north" scaled like the dated
     * forecaster, store "south" ten times smaller; intervals relative to the forecast value.
     */
    public static RecurrentModel globalForecaster(long seed) {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(6).setFeatureInput(2)
                .setOutputSize(2).build();
        ModelMetadata meta = ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("load", "temperature")).optTargetNames(List.of("load", "temperature"))
                .optSeries("store", List.of("north", "south"), new double[][] {{500, 12}, {50, 1.2}},
                        new double[][] {{80, 4}, {8, 0.4}})
                .optForecast(Map.of("horizon", 4, "window", 3, "season", 12))
                .optFrequency(io.stepwise.conversion.Frequency.MONTHLY)
                .optIntervals("validation_relative_residual_quantiles", new double[] {0.8},
                        new double[][][] {{{-0.1, -0.05}, {-0.2, -0.1}}}, new double[][][] {{{0.1, 0.05}, {0.2, 0.1}}})
                .build();
        return load(spec, meta, seed, 0.6f);
    }

    /** A bidirectional LSTM classifier over {@link #LETTERS} with three labels and an unknown token (' '). */
    public static RecurrentModel classifier(long seed) {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).setHiddenSize(6)
                .setTokenInput(LETTERS.size(), 4).optBidirectional(true).optHead(HeadKind.FINAL_STATE)
                .setOutputSize(3).build();
        ModelMetadata meta = ModelMetadata.builder().setTask(Task.CLASSIFIER).optVocabulary(LETTERS)
                .optUnknownToken(8).optLabels(List.of("en", "de", "fr")).build();
        return load(spec, meta, seed, 1.0f);
    }

    private static RecurrentModel load(NetworkSpec spec, ModelMetadata meta, long seed, float scale) {
        Random r = new Random(seed);
        NetworkWeights.Builder w = NetworkWeights.builder(spec);
        if (spec.embeddingSize() > 0) {
            w.setEmbedding(gaussian(r, spec.inputSize() * spec.embeddingSize(), scale));
        }
        int rows = spec.cell().gateCount() * spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                w.setLayer(l, d, new LayerWeights(gaussian(r, rows * spec.layerInputSize(l), scale),
                        gaussian(r, rows * spec.hiddenSize(), scale), gaussian(r, rows, scale),
                        gaussian(r, rows, scale)));
            }
        }
        w.setHead(gaussian(r, spec.outputSize() * spec.headInputSize(), scale), gaussian(r, spec.outputSize(), scale));
        byte[] bytes = OnnxExporter.builder().build().toBytes(spec, w.build(), meta);
        return RecurrentModel.fromBytes(bytes);
    }

    private static float[] gaussian(Random r, int n, float scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian() * scale;
        }
        return out;
    }
}
