package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.ModelProto;
import io.stepwise.conversion.onnx.OnnxProto.NodeProto;
import io.stepwise.conversion.onnx.OnnxProto.StringStringEntryProto;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Format 2's {@code sequence_lens} input: feeds of different lengths share one call and each row's final state equals
 * feeding it alone; format-1 files (no such input, as the committed models/) still load, step and batch (one call per
 * length), with the same numbers as the same weights in format 2.
 */
class SequenceLengthsTest {

    @Test
    void formatTwoTakesRowLengthsAndRaggedFeedsEqualFeedingAlone() {
        for (CellKind cell : CellKind.values()) {
            NetworkSpec spec = NetworkSpec.builder().setCell(cell).setHiddenSize(6).optLayers(2).setTokenInput(9, 3)
                    .setOutputSize(9).build();
            try (RecurrentModel model = RecurrentModel.fromBytes(exported(spec).toByteArray())) {
                assertEquals(2, model.info().formatVersion());
                assertTrue(model.takesSequenceLengths());
                checkRaggedFeeds(model, new Random(cell.ordinal()));
            }
        }
    }

    @Test
    void formatOneLoadsStepsAndBatchesWithTheSameNumbers() {
        for (CellKind cell : CellKind.values()) {
            NetworkSpec spec = NetworkSpec.builder().setCell(cell).setHiddenSize(5).optLayers(2).setFeatureInput(3)
                    .setOutputSize(2).optHead(cell == CellKind.GRU ? HeadKind.FINAL_STATE : HeadKind.PER_STEP).build();
            ModelProto two = exported(spec);
            try (RecurrentModel v1 = RecurrentModel.fromBytes(formatOne(two).toByteArray());
                 RecurrentModel v2 = RecurrentModel.fromBytes(two.toByteArray());
                 StepSession s1 = v1.newSession(); StepSession s2 = v2.newSession()) {
                assertEquals(1, v1.info().formatVersion());
                assertFalse(v1.takesSequenceLengths());
                Random rnd = new Random(3);
                float[][] x = RandomModels.randomSteps(rnd, 5, 3);
                RecurrentModelStepAllTest.assertClose(s2.feed(x)[0], s1.feed(x)[0], cell + " feed");
                float[] step = RandomModels.random(rnd, 3);
                RecurrentModelStepAllTest.assertClose(s2.step(step), s1.step(step), cell + " step");
                RecurrentModelStepAllTest.assertClose(v2.forward(new float[][][] {x, x}).output(),
                        v1.forward(new float[][][] {x, x}).output(), cell + " forward");
                checkRaggedFeeds(v1, rnd); // one call per length
            }
        }
    }

    @Test
    void formatsOneAndTwoAgreeFromAnyState() {
        for (CellKind cell : CellKind.values()) {
            for (int layers = 1; layers <= 2; layers++) {
                NetworkSpec spec = NetworkSpec.builder().setCell(cell).setHiddenSize(5).optLayers(layers)
                        .setTokenInput(7, 3).setOutputSize(7).build();
                ModelProto two = exported(spec);
                try (RecurrentModel v1 = RecurrentModel.fromBytes(formatOne(two).toByteArray());
                     RecurrentModel v2 = RecurrentModel.fromBytes(two.toByteArray());
                     StepSession s1 = v1.newSession(); StepSession s2 = v2.newSession()) {
                    Random rnd = new Random(layers);
                    int size = v1.info().stateRows() * v1.info().hiddenSize();
                    // A state the cell can reach (restore refuses others): h in (-1, 1), or ≥ 0 for ReLU.
                    float[] h = RandomModels.random(rnd, size);
                    for (int i = 0; i < size; i++) {
                        h[i] = cell == CellKind.RNN_RELU ? Math.abs(h[i]) : (float) Math.tanh(h[i]);
                    }
                    SessionState start = v1.info().hasCellState()
                            ? SessionState.of(v1.info(), 4, h, RandomModels.random(rnd, size))
                            : SessionState.of(v1.info(), 4, h);
                    s1.restore(start);
                    s2.restore(start);
                    int[] tokens = {1, 5, 2};
                    String what = cell + " ×" + layers;
                    RecurrentModelStepAllTest.assertClose(s1.feed(tokens)[2], s2.feed(tokens)[2], what + " feed");
                    RecurrentModelStepAllTest.assertState(s1.snapshot(), s2.snapshot(), what + " after feed");
                    RecurrentModelStepAllTest.assertClose(s1.step(3), s2.step(3), what + " step");
                    RecurrentModelStepAllTest.assertState(s1.snapshot(), s2.snapshot(), what + " after step");
                }
            }
        }
    }

    @Test
    void forwardOfFormatsOneAndTwoAgreeFromGivenStates() {
        for (CellKind cell : CellKind.values()) {
          for (int hidden : new int[] {5, 8, 16}) {
            NetworkSpec spec = NetworkSpec.builder().setCell(cell).setHiddenSize(hidden).optLayers(2)
                    .setTokenInput(7, 3).setOutputSize(7).build();
            ModelProto two = exported(spec);
            try (RecurrentModel v1 = RecurrentModel.fromBytes(formatOne(two).toByteArray());
                 RecurrentModel v2 = RecurrentModel.fromBytes(two.toByteArray())) {
                Random rnd = new Random(5);
                for (int batch = 1; batch <= 3; batch++) {
                    for (int length = 1; length <= 4; length += 3) {
                        int size = v1.info().stateRows() * batch * v1.info().hiddenSize();
                        float[] h0 = RandomModels.random(rnd, size);
                        float[] c0 = v1.info().hasCellState() ? RandomModels.random(rnd, size) : null;
                        long[][] tokens = new long[batch][length];
                        for (long[] row : tokens) {
                            for (int t = 0; t < length; t++) {
                                row[t] = rnd.nextInt(7);
                            }
                        }
                        BatchResult r1 = v1.forward(tokens, h0, c0);
                        BatchResult r2 = v2.forward(tokens, h0, c0);
                        String what = cell + " hidden " + hidden + " batch " + batch + " length " + length;
                        RecurrentModelStepAllTest.assertClose(r1.output(), r2.output(), what + " output");
                        RecurrentModelStepAllTest.assertClose(r1.hn(), r2.hn(), what + " hn");
                        if (c0 != null) {
                            RecurrentModelStepAllTest.assertClose(r1.cn(), r2.cn(), what + " cn");
                        }
                    }
                }
            }
          }
        }
    }

    @Test
    void theCommittedModelsStillLoad() throws IOException {
        Path models = Path.of("..", "models");
        if (!Files.isDirectory(models)) {
            return; // the runtime built on its own, outside the repository
        }
        int loaded = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(models, "*.onnx")) {
            for (Path file : files) {
                try (RecurrentModel model = RecurrentModel.load(file)) {
                    assertTrue(model.info().formatVersion() >= 1, file.toString());
                    loaded++;
                }
            }
        }
        assertTrue(loaded > 0);
    }

    private static void checkRaggedFeeds(RecurrentModel model, Random rnd) {
        ModelInfo info = model.info();
        int rows = 6;
        SessionState[] states = new SessionState[rows];
        Object[] inputs = new Object[rows];
        for (int i = 0; i < rows; i++) {
            states[i] = model.initialState();
            int length = 1 + (i * 3) % 7;
            inputs[i] = info.isTokenInput() ? RandomModels.randomTokens(rnd, length, info.inputSize())
                    : RandomModels.randomSteps(rnd, length, info.inputSize());
        }
        SteppedStates all = info.isTokenInput()
                ? model.feedAll(states, java.util.Arrays.copyOf(inputs, rows, int[][].class))
                : model.feedAll(states, java.util.Arrays.copyOf(inputs, rows, float[][][].class));
        for (int i = 0; i < rows; i++) {
            try (StepSession alone = model.newSession()) {
                float[][] expected = inputs[i] instanceof int[] t ? alone.feed(t) : alone.feed((float[][]) inputs[i]);
                float[][] actual = all.outputs(i);
                assertEquals(expected.length, actual.length);
                for (int r = 0; r < expected.length; r++) {
                    RecurrentModelStepAllTest.assertClose(expected[r], actual[r], info.cell() + " row " + i);
                }
                RecurrentModelStepAllTest.assertState(alone.snapshot(), all.state(i), info.cell() + " row " + i);
            }
        }
    }

    private static ModelProto exported(NetworkSpec spec) {
        return OnnxExporter.builder().build().toModel(spec, RandomModels.weights(spec, 8),
                RandomModels.metadataFor(spec));
    }

    /** The same model as format 1 wrote it: no sequence_lens input, the recurrent nodes' slot 4 empty. */
    static ModelProto formatOne(ModelProto two) {
        ModelProto.Builder b = two.toBuilder();
        GraphProto.Builder g = b.getGraphBuilder();
        for (int i = g.getInputCount() - 1; i >= 0; i--) {
            if (g.getInput(i).getName().equals(OnnxExporter.SEQUENCE_LENS)) {
                g.removeInput(i);
            }
        }
        for (NodeProto.Builder n : g.getNodeBuilderList()) {
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(OnnxExporter.SEQUENCE_LENS)) {
                    n.setInput(i, "");
                }
            }
        }
        for (int i = 0; i < b.getMetadataPropsCount(); i++) {
            if (b.getMetadataProps(i).getKey().equals("stepwise.format")) {
                b.setMetadataProps(i, StringStringEntryProto.newBuilder().setKey("stepwise.format").setValue("1"));
            }
        }
        return b.build();
    }
}
