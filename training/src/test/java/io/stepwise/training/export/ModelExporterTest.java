package io.stepwise.training.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.Task;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelExporterTest {
    private static final int HIDDEN = 8;
    private static final int EMBEDDING = 4;
    private static final int VOCABULARY = 12;
    private static final int FEATURES = 3;
    private static final List<Double> FIGURES = new ArrayList<>();

    @AfterAll
    static void printLargestFigure() {
        System.out.printf("parity: %d exports, largest max_abs_diff %.3e%n", FIGURES.size(),
                FIGURES.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    }

    static Stream<Arguments> unidirectional() {
        List<Arguments> cases = new ArrayList<>();
        for (CellKind cell : CellKind.values()) {
            for (int layers = 1; layers <= 3; layers++) {
                cases.add(Arguments.of(cell, layers, true));
                cases.add(Arguments.of(cell, layers, false));
            }
        }
        return cases.stream();
    }

    static NetworkSpec spec(CellKind cell, int layers, boolean tokens, boolean bidirectional) {
        NetworkSpec.Builder b = NetworkSpec.builder().setCell(cell).setHiddenSize(HIDDEN).optLayers(layers);
        if (tokens) {
            b.setTokenInput(VOCABULARY, EMBEDDING);
        } else {
            b.setFeatureInput(FEATURES);
        }
        if (bidirectional) {
            b.optBidirectional(true).optHead(HeadKind.FINAL_STATE).setOutputSize(3);
        } else {
            b.setOutputSize(tokens ? VOCABULARY : FEATURES);
        }
        return b.build();
    }

    static ModelMetadata.Builder metadata(NetworkSpec spec) {
        Task task = spec.head() == HeadKind.FINAL_STATE ? Task.CLASSIFIER
                : spec.inputKind() == io.stepwise.conversion.InputKind.TOKENS ? Task.LANGUAGE_MODEL : Task.FORECASTER;
        return ModelMetadata.builder().setTask(task);
    }

    private static ParityReport exportFresh(NetworkSpec spec, long seed) {
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(seed);
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
            net.initialize(manager);
            ModelExporter.Export export = ModelExporter.builder().build().export(net, metadata(spec));
            ParityReport parity = export.parity();
            FIGURES.add(parity.maxAbsDiff());
            assertEquals(6, parity.cases());
            assertTrue(parity.maxAbsDiff() <= 1e-5, spec + ": " + parity);
            // The recorded figure is in the file.
            String bytes = new String(export.model(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(bytes.contains("stepwise.parity"), "parity metadata missing");
            return parity;
        }
    }

    @ParameterizedTest(name = "{0} layers={1} tokens={2}")
    @MethodSource("unidirectional")
    void freshUnidirectionalModelsMatchOnnx(CellKind cell, int layers, boolean tokens) {
        exportFresh(spec(cell, layers, tokens, false), 1000 + layers);
    }

    @ParameterizedTest(name = "bidirectional classifier {0}")
    @MethodSource("cells")
    void freshBidirectionalClassifiersMatchOnnx(CellKind cell) {
        exportFresh(spec(cell, 2, cell.ordinal() % 2 == 0, true), 77);
        exportFresh(spec(cell, 1, cell.ordinal() % 2 == 1, true), 78);
    }

    static Stream<CellKind> cells() {
        return Stream.of(CellKind.values());
    }

    @Test
    void trainedModelStillMatches(@TempDir Path dir) throws Exception {
        NetworkSpec spec = spec(CellKind.LSTM, 2, true, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(5);
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).optDropout(0.2f).build();
            net.initialize(manager);
            float[] before = net.recurrentParameters(1, 0).get(0).getArray().toFloatArray();
            Loss loss = Loss.softmaxCrossEntropyLoss();
            java.util.Random random = new java.util.Random(3);
            for (int step = 0; step < 20; step++) {
                try (NDManager batch = manager.newSubManager();
                     GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    long[] ids = new long[4 * 7];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = random.nextInt(VOCABULARY);
                    }
                    NDArray x = batch.create(ids, new Shape(4, 7));
                    NDList out = net.forward(new ParameterStore(batch, false), new NDList(x), true);
                    NDArray l = loss.evaluate(new NDList(x.reshape(-1)),
                            new NDList(out.get(0).reshape(-1, VOCABULARY)));
                    collector.backward(l);
                }
                for (var p : net.getParameters()) {
                    NDArray w = p.getValue().getArray();
                    try (NDArray g = w.getGradient()) {
                        w.getNDArrayInternal().adamUpdate(new NDList(w, g, w.zerosLike(), w.zerosLike()),
                                new NDList(w), 0.05f, 0.05f, 0f, 1f, -1f, 0.9f, 0.999f, 1e-8f, true, false);
                        g.subi(g);
                    }
                }
            }
            float[] after = net.recurrentParameters(1, 0).get(0).getArray().toFloatArray();
            double moved = 0;
            for (int i = 0; i < before.length; i++) {
                moved = Math.max(moved, Math.abs(before[i] - after[i]));
            }
            assertTrue(moved > 0.01, "training should move the weights, moved " + moved);

            Path file = dir.resolve("lm.onnx");
            ParityReport parity = ModelExporter.builder().build().write(net, metadata(spec), file);
            FIGURES.add(parity.maxAbsDiff());
            assertTrue(parity.maxAbsDiff() <= 1e-5, parity.toString());
            assertTrue(Files.size(file) > 0);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "no temporary file may remain");
            }
        }
    }

    @Test
    void mismatchedWeightsFailParity() {
        NetworkSpec spec = spec(CellKind.GRU, 1, false, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(1);
            RecurrentNet a = RecurrentNet.builder().setSpec(spec).build();
            a.initialize(manager);
            DjlRuntime.seed(2);
            RecurrentNet b = RecurrentNet.builder().setSpec(spec).build();
            b.initialize(manager);
            ModelExporter exporter = ModelExporter.builder().build();
            byte[] bytesOfA = exporter.export(a, metadata(spec)).model();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> exporter.check(b, bytesOfA));
            assertTrue(e.getMessage().contains("tolerance"), e.getMessage());
        }
    }

    @Test
    void failedParityWritesNothing(@TempDir Path dir) throws Exception {
        NetworkSpec spec = spec(CellKind.RNN_TANH, 2, true, false);
        try (NDManager manager = NDManager.newBaseManager()) {
            DjlRuntime.seed(9);
            RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
            net.initialize(manager);
            double figure = ModelExporter.builder().build().export(net, metadata(spec)).parity().maxAbsDiff();
            Assumptions.assumeTrue(figure > 0, "DJL and ONNX Runtime agreed bit for bit; nothing to exceed");
            Path file = dir.resolve("model.onnx");
            ModelExporter strict = ModelExporter.builder().optTolerance(figure / 2).build();
            assertThrows(IllegalStateException.class, () -> strict.write(net, metadata(spec), file));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(0, files.count(), "nothing may be written when parity fails");
            }
        }
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ModelExporter.builder().optTolerance(0).build());
        assertThrows(IllegalArgumentException.class, () -> ModelExporter.builder().optTolerance(Double.NaN).build());
        assertThrows(IllegalArgumentException.class, () -> ModelExporter.builder().optBatchSizes().build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelExporter.builder().optSequenceLengths(5, 0).build());
        assertTrue(e.getMessage().startsWith("sequenceLengths"), e.getMessage());
    }
}
