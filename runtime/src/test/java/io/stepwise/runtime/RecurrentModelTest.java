package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import com.google.protobuf.ByteString;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecurrentModelTest {
    @TempDir
    Path dir;

    @Test
    void infoComesFromTheMetadata() {
        NetworkSpec spec = RandomModels.featureSpec(CellKind.LSTM, 2, 5, 2, 2);
        ModelMetadata meta = ModelMetadata.builder().setTask(Task.FORECASTER)
                .optFeatureNames(List.of("sales", "price")).optTargetNames(List.of("sales", "price"))
                .optScaling(new double[] {10, 2}, new double[] {3, 0.5})
                .optForecast(Map.of("window", 52, "horizon", 13))
                .optTraining(Map.of("command", "stepwise train", "seed", 42))
                .optMetrics(Map.of("mase", 0.87))
                .optParity(3e-7, 1e-5, 12)
                .optProperty("notes", "hello")
                .build();
        Path file = RandomModels.write(dir, "forecaster.onnx", spec, 1, meta);
        try (RecurrentModel model = RecurrentModel.load(file)) {
            ModelInfo info = model.info();
            assertEquals(ModelFormat.VERSION, info.formatVersion());
            assertEquals(ModelFormat.Task.FORECASTER, info.task());
            assertEquals(ModelFormat.Cell.LSTM, info.cell());
            assertEquals(2, info.layers());
            assertEquals(5, info.hiddenSize());
            assertFalse(info.bidirectional());
            assertEquals(ModelFormat.InputKind.FEATURES, info.inputKind());
            assertEquals(2, info.inputSize());
            assertEquals(0, info.embeddingSize());
            assertEquals(ModelFormat.Head.PER_STEP, info.head());
            assertEquals(2, info.outputSize());
            assertEquals(List.of("sales", "price"), info.featureNames());
            assertArrayEquals(new double[] {10, 2}, info.scaling().orElseThrow().mean());
            assertArrayEquals(new double[] {3, 0.5}, info.scaling().orElseThrow().std());
            assertEquals(52L, info.forecast().get("window"));
            assertEquals("stepwise train", info.training().get("command"));
            assertEquals(0.87, info.metrics().get("mase"), 1e-12);
            assertEquals(new ModelInfo.Parity(3e-7, 1e-5, 12), info.parity().orElseThrow());
            assertEquals("hello", info.metadata().get("stepwise.notes"));
            assertEquals(List.of("h0", "c0"), info.stateInputs());
            assertTrue(info.hasCellState());
            String text = info.toString();
            for (String expected : List.of("forecaster", "lstm × 2 layers, hidden 5", "sales", "mase",
                    "stepwise.notes = hello", "window")) {
                assertTrue(text.contains(expected), "inspect text lacks '" + expected + "':\n" + text);
            }
            assertTrue(model.toString().contains("forecaster.onnx"));
        }
    }

    @Test
    void forwardBatchesIndependentSequencesAndContinuesFromAGivenState() {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.LSTM, 2, 4, 7);
        try (RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(spec, 2))) {
            long[][] tokens = {{1, 2, 3, 4}, {6, 5, 0, 1}};
            BatchResult both = model.forward(tokens, null, null);
            assertArrayEquals(new long[] {2, 4, 7}, both.outputShape());
            assertArrayEquals(new long[] {2, 2, 4}, both.stateShape());
            BatchResult second = model.forward(new long[][] {tokens[1]}, null, null);
            for (int t = 0; t < 4; t++) {
                StepSessionTest.assertClose(second.outputAt(0, t), both.outputAt(1, t), "row 1 step " + t);
            }
            BatchResult head = model.forward(new long[][] {{1, 2}}, null, null);
            BatchResult tail = model.forward(new long[][] {{3, 4}}, head.hn(), head.cn());
            StepSessionTest.assertClose(both.outputAt(0, 3), tail.outputAt(0, 1), "continued");
        }
    }

    @Test
    void forwardRefusesBadArguments() {
        try (RecurrentModel lm = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 7), 3));
             RecurrentModel fc = RecurrentModel.fromBytes(RandomModels.bytes(
                     RandomModels.featureSpec(CellKind.RNN_TANH, 1, 4, 2, 1), 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> lm.forward(new long[][] {{1, 2}, {3}}, null, null));
            assertTrue(e.getMessage().contains("same length"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> lm.forward(new long[][] {{1, 7}}, null, null));
            assertTrue(e.getMessage().contains("tokens[0][1]") && e.getMessage().contains("[0, 7)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> lm.forward(new long[0][], null, null));
            assertThrows(IllegalArgumentException.class, () -> lm.forward(new long[][] {{}}, null, null));
            e = assertThrows(IllegalArgumentException.class, () -> lm.forward(new long[][] {{1}}, new float[3], null));
            assertTrue(e.getMessage().contains("h0: expected 4 values"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> lm.forward(new long[][] {{1}}, null, new float[4]));
            assertTrue(e.getMessage().contains("no cell state"), e.getMessage());
            float[] nan = new float[4];
            nan[2] = Float.NaN;
            assertThrows(IllegalArgumentException.class, () -> lm.forward(new long[][] {{1}}, nan, null));
            assertThrows(UnsupportedOperationException.class, () -> lm.forward(new float[][][] {{{1f}}}, null, null));
            e = assertThrows(IllegalArgumentException.class,
                    () -> fc.forward(new float[][][] {{{1f, Float.NaN}}}, null, null));
            assertTrue(e.getMessage().contains("features[0][0][1]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> fc.forward(new float[][][] {{{1f}}}, null, null));
        }
    }

    @Test
    void loadsFromAFileTheClasspathAndBytesAlike() throws IOException {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.GRU, 1, 4, 5);
        Path file = RandomModels.write(dir, "m.onnx", spec, 4);
        long[][] tokens = {{1, 2, 3}};
        try (RecurrentModel a = RecurrentModel.load(file, RuntimeOptions.builder().optIntraOpThreads(2).build());
             RecurrentModel b = RecurrentModel.fromBytes(Files.readAllBytes(file));
             RecurrentModel c = RecurrentModel.load(file, RuntimeOptions.builder()
                     .optOptimizationLevel(RuntimeOptions.OptimizationLevel.NONE).build())) {
            assertArrayEquals(a.forward(tokens, null, null).output(), b.forward(tokens, null, null).output());
            StepSessionTest.assertClose(a.forward(tokens, null, null).output(), c.forward(tokens, null, null).output(),
                    "unoptimised");
            assertEquals(a.info().fingerprint(), b.info().fingerprint());
        }
        StepwiseException e = assertThrows(StepwiseException.class, () -> RecurrentModel.fromResource("nope/missing.onnx"));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void refusesMissingEmptyTruncatedAndNonOnnxFiles() throws IOException {
        StepwiseException e = assertThrows(StepwiseException.class, () -> RecurrentModel.load(dir.resolve("absent.onnx")));
        assertTrue(e.getMessage().contains("no such model file"));
        assertEquals(dir.resolve("absent.onnx"), e.path().orElseThrow());

        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        e = assertThrows(StepwiseException.class, () -> RecurrentModel.load(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        byte[] good = RandomModels.bytes(RandomModels.tokenSpec(CellKind.LSTM, 1, 4, 5), 5);
        for (int cut : new int[] {1, 7, good.length / 2, good.length - 3}) {
            Path truncated = Files.write(dir.resolve("truncated" + cut + ".onnx"), Arrays.copyOf(good, cut));
            assertThrows(StepwiseException.class, () -> RecurrentModel.load(truncated), "cut at " + cut);
        }
        Path text = Files.writeString(dir.resolve("readme.onnx"), "this is not a model\n");
        e = assertThrows(StepwiseException.class, () -> RecurrentModel.load(text));
        assertTrue(e.getMessage().contains("not a valid ONNX model"), e.getMessage());

        byte[] noise = new byte[4096];
        new Random(9).nextBytes(noise);
        assertThrows(StepwiseException.class, () -> RecurrentModel.fromBytes(noise));
    }

    @Test
    void refusesAnOnnxModelWithoutMetadataOrSignature() {
        StepwiseException e = assertThrows(StepwiseException.class,
                () -> RecurrentModel.fromResource("fixtures/lstm_lm.onnx"));
        assertTrue(e.getMessage().contains("no Stepwise metadata") && e.getMessage().contains("ModelSignature"),
                e.getMessage());
    }

    @Test
    void refusesANewerFormatAndMetadataThatDoesNotFitTheGraph() throws IOException {
        ModelProto model = exported(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 5));
        StepwiseException e = assertThrows(StepwiseException.class,
                () -> RecurrentModel.fromBytes(withProperty(model, "stepwise.format", "3").toByteArray()));
        assertTrue(e.getMessage().contains("format 3") && e.getMessage().contains("upgrade"), e.getMessage());
        e = assertThrows(StepwiseException.class,
                () -> RecurrentModel.fromBytes(withProperty(model, "stepwise.input_name", "ids").toByteArray()));
        assertTrue(e.getMessage().contains("no input named 'ids'"), e.getMessage());
        e = assertThrows(StepwiseException.class,
                () -> RecurrentModel.fromBytes(withProperty(model, "stepwise.cell", "lstm").toByteArray()));
        assertTrue(e.getMessage().contains("state"), e.getMessage());
    }

    @Test
    void externalDataInsideTheFolderLoadsAndEscapesAreRefused() throws IOException {
        NetworkSpec spec = RandomModels.tokenSpec(CellKind.LSTM, 1, 4, 5);
        ModelProto model = exported(spec);
        long[][] tokens = {{1, 2, 3}};
        float[] expected;
        try (RecurrentModel embedded = RecurrentModel.fromBytes(model.toByteArray())) {
            expected = embedded.forward(tokens, null, null).output();
        }
        Path sub = Files.createDirectories(dir.resolve("models"));
        Files.createDirectories(sub.resolve("data"));
        ModelProto external = externalize(model, sub.resolve("data/weights.bin"), "data/weights.bin");
        Path file = Files.write(sub.resolve("external.onnx"), external.toByteArray());
        try (RecurrentModel loaded = RecurrentModel.load(file)) {
            assertArrayEquals(expected, loaded.forward(tokens, null, null).output());
        }
        StepwiseException e = assertThrows(StepwiseException.class,
                () -> RecurrentModel.fromBytes(external.toByteArray()));
        assertTrue(e.getMessage().contains("self-contained"), e.getMessage());

        Path secret = Files.write(dir.resolve("secret.bin"), new byte[64]);
        for (String location : List.of("../secret.bin", secret.toString(), "data/../../secret.bin")) {
            Path bad = Files.write(sub.resolve("bad.onnx"), withLocation(external, location).toByteArray());
            e = assertThrows(StepwiseException.class, () -> RecurrentModel.load(bad), location);
            assertTrue(e.getMessage().contains("refused") && e.getMessage().contains(location), e.getMessage());
        }
        Path link = sub.resolve("link.bin");
        try {
            Files.createSymbolicLink(link, secret);
        } catch (UnsupportedOperationException | IOException noLinks) {
            return;
        }
        Path linked = Files.write(sub.resolve("linked.onnx"), withLocation(external, "link.bin").toByteArray());
        e = assertThrows(StepwiseException.class, () -> RecurrentModel.load(linked));
        assertTrue(e.getMessage().contains("link"), e.getMessage());
    }

    @Test
    void aFileThatChangesWhileItIsLoadedIsRefused() throws IOException {
        Path file = RandomModels.write(dir, "moving.onnx", RandomModels.tokenSpec(CellKind.GRU, 1, 4, 5), 10);
        byte[] vetted = Files.readAllBytes(file);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(vetted);
        ModelLoader.FileIdentity before = ModelLoader.FileIdentity.of(file);
        ModelLoader.checkUnchanged(file, before, crc.getValue()); // unchanged: accepted

        StepwiseException e = assertThrows(StepwiseException.class,
                () -> ModelLoader.checkUnchanged(file, before, crc.getValue() ^ 1));
        assertTrue(e.getMessage().contains("changed while it was being loaded") && e.getMessage().contains("content"),
                e.getMessage());
        Files.write(file, RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 5), 11));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(before.modified() + 5_000));
        e = assertThrows(StepwiseException.class, () -> ModelLoader.checkUnchanged(file, before, crc.getValue()));
        assertTrue(e.getMessage().contains("modification time"), e.getMessage());
        assertEquals(file, e.path().orElseThrow());
    }

    @Test
    void cudaWithoutTheGpuBuildSaysWhatToChange() {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "this ONNX Runtime has CUDA; the error path cannot be reached");
        byte[] bytes = RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 5), 6);
        StepwiseException e = assertThrows(StepwiseException.class, () -> RecurrentModel.fromBytes(bytes,
                RuntimeOptions.builder().optDevice(Device.cuda(0)).build()));
        assertTrue(e.getMessage().contains("-Pgpu") && e.getMessage().contains("onnxruntime_gpu")
                && e.getMessage().contains("CUDA 12"), e.getMessage());
    }

    @Test
    void signatureErrorsNameTheGraphValues() {
        ModelSignature wrong = ModelSignature.builder().input("ids").output("logits").state("h0", "hn")
                .state("c0", "cn").build();
        StepwiseException e = assertThrows(StepwiseException.class,
                () -> RecurrentModel.fromResource("fixtures/lstm_lm.onnx", wrong, RuntimeOptions.defaults()));
        assertTrue(e.getMessage().contains("'ids'") && e.getMessage().contains("tokens"), e.getMessage());
        ModelSignature oneState = ModelSignature.builder().input("tokens").output("logits").state("h0", "hn").build();
        e = assertThrows(StepwiseException.class,
                () -> RecurrentModel.fromResource("fixtures/lstm_lm.onnx", oneState, RuntimeOptions.defaults()));
        assertTrue(e.getMessage().contains("LSTM needs two"), e.getMessage());
    }

    @Test
    void useAfterCloseIsRefused() {
        RecurrentModel model = RecurrentModel.fromBytes(RandomModels.bytes(RandomModels.tokenSpec(CellKind.GRU, 1, 4, 5), 7));
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> model.forward(new long[][] {{1}}, null, null));
        assertTrue(e.getMessage().contains("closed"));
    }

    // ---- building odd models with the conversion module's protobuf classes

    private static ModelProto exported(NetworkSpec spec) {
        return OnnxExporter.builder().build().toModel(spec, RandomModels.weights(spec, 8), RandomModels.metadataFor(spec));
    }

    private static ModelProto withProperty(ModelProto model, String key, String value) {
        ModelProto.Builder b = model.toBuilder();
        for (int i = 0; i < b.getMetadataPropsCount(); i++) {
            if (b.getMetadataProps(i).getKey().equals(key)) {
                b.setMetadataProps(i, StringStringEntryProto.newBuilder().setKey(key).setValue(value));
            }
        }
        return b.build();
    }

    /** Moves the float initializers' raw data into one file, as ONNX's external-data format does. */
    private static ModelProto externalize(ModelProto model, Path dataFile, String location) throws IOException {
        ModelProto.Builder b = model.toBuilder();
        ByteString.Output data = ByteString.newOutput();
        for (TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
            ByteString raw = t.getRawData();
            // Only float weights: ONNX Runtime wants small int64 constants (Slice bounds) inline for shape inference.
            if (raw.isEmpty() || t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
                continue;
            }
            long offset = data.size();
            raw.writeTo(data);
            t.clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(entry("location", location))
                    .addExternalData(entry("offset", Long.toString(offset)))
                    .addExternalData(entry("length", Integer.toString(raw.size())));
        }
        Files.write(dataFile, data.toByteString().toByteArray());
        return b.build();
    }

    private static ModelProto withLocation(ModelProto model, String location) {
        ModelProto.Builder b = model.toBuilder();
        for (TensorProto.Builder t : b.getGraphBuilder().getInitializerBuilderList()) {
            for (int i = 0; i < t.getExternalDataCount(); i++) {
                if (t.getExternalData(i).getKey().equals("location")) {
                    t.setExternalData(i, entry("location", location));
                }
            }
        }
        return b.build();
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
