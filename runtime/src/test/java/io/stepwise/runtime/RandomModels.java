package io.stepwise.runtime;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Tiny Stepwise models with random weights, written with the conversion module's exporter. */
final class RandomModels {
    private RandomModels() {
    }

    /** A language model over a vocabulary of {@code vocab} single letters. */
    static NetworkSpec tokenSpec(CellKind cell, int layers, int hidden, int vocab) {
        return NetworkSpec.builder().setCell(cell).setHiddenSize(hidden).setTokenInput(vocab, 3)
                .setOutputSize(vocab).optLayers(layers).build();
    }

    static NetworkSpec featureSpec(CellKind cell, int layers, int hidden, int features, int outputs) {
        return NetworkSpec.builder().setCell(cell).setHiddenSize(hidden).setFeatureInput(features)
                .setOutputSize(outputs).optLayers(layers).build();
    }

    static NetworkSpec classifierSpec(CellKind cell, int layers, int hidden, int vocab, int labels,
                                      boolean bidirectional) {
        return NetworkSpec.builder().setCell(cell).setHiddenSize(hidden).setTokenInput(vocab, 3)
                .setOutputSize(labels).optLayers(layers).optBidirectional(bidirectional)
                .optHead(HeadKind.FINAL_STATE).build();
    }

    static List<String> letters(int n) {
        List<String> v = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            v.add(String.valueOf((char) ('a' + i)));
        }
        return v;
    }

    /** Metadata that fits {@code spec}: task from the head and input kind, names for everything. */
    static ModelMetadata metadataFor(NetworkSpec spec) {
        ModelMetadata.Builder m = ModelMetadata.builder();
        if (spec.head() == HeadKind.FINAL_STATE) {
            m.setTask(Task.CLASSIFIER).optVocabulary(letters(spec.inputSize())).optLabels(letters(spec.outputSize())
                    .stream().map(s -> "label_" + s).toList());
        } else if (spec.inputKind() == io.stepwise.conversion.InputKind.TOKENS) {
            m.setTask(Task.LANGUAGE_MODEL).optVocabulary(letters(spec.inputSize())).optUnknownToken(0);
        } else {
            m.setTask(Task.FORECASTER).optFeatureNames(letters(spec.inputSize()))
                    .optTargetNames(letters(spec.outputSize()).stream().map(s -> s + "_next").toList());
        }
        return m.build();
    }

    static NetworkWeights weights(NetworkSpec spec, long seed) {
        Random rnd = new Random(seed);
        NetworkWeights.Builder w = NetworkWeights.builder(spec);
        if (spec.inputKind() == io.stepwise.conversion.InputKind.TOKENS) {
            w.setEmbedding(random(rnd, spec.inputSize() * spec.embeddingSize()));
        }
        int rows = spec.cell().gateCount() * spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                w.setLayer(l, d, new LayerWeights(random(rnd, rows * spec.layerInputSize(l)),
                        random(rnd, rows * spec.hiddenSize()), random(rnd, rows), random(rnd, rows)));
            }
        }
        w.setHead(random(rnd, spec.outputSize() * spec.headInputSize()), random(rnd, spec.outputSize()));
        return w.build();
    }

    static byte[] bytes(NetworkSpec spec, long seed) {
        return OnnxExporter.builder().build().toBytes(spec, weights(spec, seed), metadataFor(spec));
    }

    static Path write(Path dir, String name, NetworkSpec spec, long seed) {
        return write(dir, name, spec, seed, metadataFor(spec));
    }

    static Path write(Path dir, String name, NetworkSpec spec, long seed, ModelMetadata metadata) {
        Path file = dir.resolve(name);
        try {
            OnnxExporter.builder().build().write(spec, weights(spec, seed), metadata, file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * 0.5);
        }
        return a;
    }

    static float[][] randomSteps(Random rnd, int steps, int features) {
        float[][] x = new float[steps][];
        for (int t = 0; t < steps; t++) {
            x[t] = random(rnd, features);
        }
        return x;
    }

    static int[] randomTokens(Random rnd, int steps, int vocab) {
        int[] t = new int[steps];
        for (int i = 0; i < steps; i++) {
            t[i] = rnd.nextInt(vocab);
        }
        return t;
    }
}
