package io.stepwise.training.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.train.TrainerConfig;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporalConvNetTest {
    private static final int T = 40;

    private static float[] outputs(NDManager manager, TemporalConvNet net, float[] features) {
        NDArray x = manager.create(features, new Shape(1, T, 2));
        return net.forward(new ParameterStore(manager, false), new NDList(x), false).get(0)
                .toType(DataType.FLOAT32, false).toFloatArray();
    }

    @Test
    void outputsAreCausalAndLimitedToTheReceptiveField() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TemporalConvNet net = new TemporalConvNet(false, 2, 6, 2, 3, 1, true); // receptive field 13
            assertEquals(13, net.receptiveField());
            DjlRuntime.seed(1);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 2));
            float[] base = new float[T * 2];
            for (int i = 0; i < base.length; i++) {
                base[i] = (float) Math.sin(i * 0.7);
            }
            float[] changed = base.clone();
            int at = 20;
            changed[at * 2] += 1f;
            float[] a = outputs(manager, net, base);
            float[] b = outputs(manager, net, changed);
            for (int t = 0; t < T; t++) {
                boolean canSee = t >= at && t - at < net.receptiveField();
                if (canSee) {
                    continue;
                }
                assertEquals(a[t], b[t], 1e-6, "output " + t + " must not depend on input " + at);
            }
            boolean anyChanged = false;
            for (int t = at; t < at + net.receptiveField(); t++) {
                anyChanged |= Math.abs(a[t] - b[t]) > 1e-6;
            }
            assertTrue(anyChanged, "outputs inside the receptive field respond to the input");
        }
    }

    @Test
    void parameterCountFormulaMatchesTheNetwork() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TemporalConvNet tokens = new TemporalConvNet(true, 30, 8, 3, 3, 30, false);
            tokens.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
            assertEquals(TemporalConvNet.parameterCount(true, 30, 8, 3, 3, 30),
                    ExperimentTraining.parameterCount(tokens));
            TemporalConvNet features = new TemporalConvNet(false, 2, 5, 2, 3, 1, false);
            features.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 2));
            assertEquals(TemporalConvNet.parameterCount(false, 2, 5, 2, 3, 1),
                    ExperimentTraining.parameterCount(features));
            NDArray x = manager.create(new long[] {1, 2, 3, 4}, new Shape(2, 2));
            NDArray y = tokens.forward(new ParameterStore(manager, false), new NDList(x), false).get(0);
            assertEquals(new Shape(2, 30), y.getShape());
        }
    }

    @Test
    void recurrentParameterCountsAndBudgetsAgreeWithTheNetwork() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (CellKind cell : new CellKind[] {CellKind.RNN_TANH, CellKind.LSTM, CellKind.GRU}) {
                NetworkSpec spec = AddingProblemExperiment.spec(cell, 9);
                RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
                net.initialize(manager);
                assertEquals(ExperimentTraining.parameterCount(spec), ExperimentTraining.parameterCount(net));
            }
            long budget = ExperimentTraining.parameterCount(AddingProblemExperiment.spec(CellKind.LSTM, 32));
            int gru = ExperimentTraining.hiddenForBudget(CellKind.GRU, 2, 1, budget);
            long gruCount = ExperimentTraining.parameterCount(AddingProblemExperiment.spec(CellKind.GRU, gru));
            assertTrue(Math.abs(gruCount - budget) < 0.03 * budget, gruCount + " vs " + budget);
        }
    }

    @Test
    void filtersAreWeightNormalisedSoTheirLengthIsTheTrainedGainAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TemporalConvNet net = new TemporalConvNet(false, 2, 6, 2, 3, 1, true);
            DjlRuntime.seed(3);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 2));
            float[] x = new float[T * 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.cos(i * 0.3);
            }
            float[] before = outputs(manager, net, x);
            int directions = 0;
            for (var p : net.getParameters()) {
                if (p.getKey().endsWith("weight_v")) {
                    p.getValue().getArray().muli(7f); // a longer direction, same filters
                    directions++;
                }
            }
            assertEquals(2 * 2, directions, "one direction per dilated convolution (2 levels × 2)");
            float[] after = outputs(manager, net, x);
            for (int t = 0; t < T; t++) {
                assertEquals(before[t], after[t], 1e-5, "output " + t + " must not depend on |v|");
            }
        }
    }

    /**
     * The adding-problem network of the CNN-vs-RNN experiment (12 channels × 5 levels, receptive field 125, T = 100)
     * trained with the experiment's loop at the recurrent networks' learning rate: every step's gradient must stay
     * finite (the Trainer throws on a NaN or infinite gradient norm) and the validation error must be a number.
     */
    @Test
    void theReceptiveField125NetworkTrainsOnTheAddingProblemWithFiniteGradients(@TempDir Path work)
            throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            TemporalConvNet net = new TemporalConvNet(false, 2, 12, 5, 3, 1, false);
            assertEquals(125, net.receptiveField());
            AddingProblem validation = AddingProblem.generate(64, 100, new Random(1100));
            AddingTask task = new AddingTask(net, 100, 16, 60, validation);
            TrainerConfig config = TrainerConfig.builder().setEpochs(1).optLearningRate(1e-2f)
                    .optCosineSchedule(1e-3f).optClipGradNorm(1f).optMonitor(AddingTask.VAL_MSE, false)
                    .optPatience(0).optSeed(1).build();
            ExperimentTraining.train(net, new Shape(1, 1, 2), manager, task, config, work);
            double mse = AddingTask.evaluate(manager, net, validation);
            assertTrue(Double.isFinite(mse) && mse < 1, "validation MSE after 60 steps: " + mse);
        }
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TemporalConvNet(true, 10, 4, 2, 1, 3, true));
    }
}
