package io.stepwise.cli;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small models with random weights, written with the real exporter, for the command tests. */
final class CliModels {
    static final List<String> LETTERS = List.of("a", "b", "c", "d", "e", " ");

    private CliModels() {
    }

    static Path languageModel(Path dir) throws IOException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(8)
                .setTokenInput(LETTERS.size(), 4).setOutputSize(LETTERS.size()).build();
        return write(dir.resolve("lm.onnx"), spec, ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL)
                .optVocabulary(LETTERS).optUnknownToken(5).build());
    }

    /** One feature, "level", scaled, with a stored horizon of 3 and window 4, evaluated on {@code data}. */
    static Path forecaster(Path dir, String data) throws IOException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).setHiddenSize(6).setFeatureInput(1)
                .setOutputSize(1).build();
        return write(dir.resolve("fc.onnx"), spec, ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("level")).optTargetNames(List.of("level"))
                .optScaling(new double[] {10}, new double[] {2}).optForecast(Map.of("horizon", 3, "window", 4))
                .optProperty("evaluation", "{\"data\":\"" + data + "\"}").build());
    }

    /** A monthly forecaster with a window of 6 and 80%/95% intervals, as training on dated data writes one. */
    static Path datedForecaster(Path dir, String data) throws IOException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(6).setFeatureInput(1)
                .setOutputSize(1).build();
        return write(dir.resolve("dated.onnx"), spec, ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("sales")).optTargetNames(List.of("sales"))
                .optScaling(new double[] {100}, new double[] {10})
                .optForecast(Map.of("horizon", 3, "window", 6, "season", 12))
                .optFrequency(io.stepwise.conversion.Frequency.MONTHLY)
                .optIntervals("validation_residual_quantiles", new double[] {0.8, 0.95},
                        new double[][][] {{{-0.5}}, {{-1}}}, new double[][][] {{{0.5}}, {{1}}})
                .optProperty("evaluation", "{\"data\":\"" + data + "\"}").build());
    }

    /** {@link #datedForecaster}'s network as a global model over stores "a" (level 100) and "b" (level 1000). */
    static Path globalForecaster(Path dir) throws IOException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(6).setFeatureInput(1)
                .setOutputSize(1).build();
        return write(dir.resolve("global.onnx"), spec, ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("sales")).optTargetNames(List.of("sales"))
                .optSeries("store", List.of("a", "b"), new double[][] {{100}, {1000}}, new double[][] {{10}, {100}})
                .optForecast(Map.of("horizon", 3, "window", 4, "season", 12))
                .optFrequency(io.stepwise.conversion.Frequency.MONTHLY)
                .optIntervals("validation_relative_residual_quantiles", new double[] {0.8},
                        new double[][][] {{{-0.1}}}, new double[][][] {{{0.1}}})
                .build());
    }

    /** A forecaster of sales with a promotion flag known in advance ({@code known_features}). */
    static Path knownFutureForecaster(Path dir) throws IOException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(6).setFeatureInput(2)
                .setOutputSize(2).build();
        return write(dir.resolve("promo.onnx"), spec, ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("sales", "promo")).optTargetNames(List.of("sales", "promo"))
                .optScaling(new double[] {100, 0.3}, new double[] {10, 0.5})
                .optForecast(Map.of("horizon", 3, "window", 2, "season", 12, "known_features", List.of("promo")))
                .optFrequency(io.stepwise.conversion.Frequency.MONTHLY).build());
    }

    /** A next-event model over the events of {@link #EVENTS} (random weights). */
    static Path eventModel(Path dir) throws IOException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(6)
                .setTokenInput(EVENTS.size(), 3).setOutputSize(EVENTS.size()).build();
        return write(dir.resolve("events.onnx"), spec, ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL)
                .optVocabulary(EVENTS).optUnknownToken(0).optTokenUnit(io.stepwise.conversion.TokenUnit.EVENT)
                .build());
    }

    static final List<String> EVENTS = List.of("<unk>", "</s>", "home", "search", "view_item", "buy");

    static Path classifier(Path dir) throws IOException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.GRU).setHiddenSize(5)
                .setTokenInput(LETTERS.size(), 3).optBidirectional(true).optHead(HeadKind.FINAL_STATE)
                .setOutputSize(3).build();
        return write(dir.resolve("cls.onnx"), spec, ModelMetadata.builder().setTask(Task.CLASSIFIER)
                .optVocabulary(LETTERS).optUnknownToken(5).optLabels(List.of("alpha", "beta", "gamma")).build());
    }

    private static Path write(Path file, NetworkSpec spec, ModelMetadata metadata) throws IOException {
        Random r = new Random(7);
        NetworkWeights.Builder w = NetworkWeights.builder(spec);
        if (spec.embeddingSize() > 0) {
            w.setEmbedding(gaussian(r, spec.inputSize() * spec.embeddingSize()));
        }
        int rows = spec.cell().gateCount() * spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                w.setLayer(l, d, new LayerWeights(gaussian(r, rows * spec.layerInputSize(l)),
                        gaussian(r, rows * spec.hiddenSize()), gaussian(r, rows), gaussian(r, rows)));
            }
        }
        w.setHead(gaussian(r, spec.outputSize() * spec.headInputSize()), gaussian(r, spec.outputSize()));
        OnnxExporter.builder().build().write(spec, w.build(), metadata, file);
        return file;
    }

    private static float[] gaussian(Random r, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian() * 0.7f;
        }
        return out;
    }
}
