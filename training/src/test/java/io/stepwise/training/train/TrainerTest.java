package io.stepwise.training.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.model.RecurrentNet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final int SEQUENCES = 24;
    private static final int LENGTH = 6;
    private static final int BATCH = 4;

    /**
     * Learns to output the running sum of two noisy features per step; carries state across consecutive batches
     * of the same epoch (truncated BPTT) to exercise {@link CarriedState}. Optionally crashes at one step.
     */
    static final class RunningSumTask implements TrainingTask<int[]> {
        final RecurrentNet net;
        final float[] inputs = new float[SEQUENCES * LENGTH * 2];
        final float[] targets = new float[SEQUENCES * LENGTH];
        final CarriedState carried;
        int crashEpoch = -1;
        int crashStep = -1;
        boolean carry;
        final List<Integer> startedEpochs = new ArrayList<>();
        /** Arrays alive under the trainer's manager when each training step starts, in step order. */
        final List<Integer> liveArrays = new ArrayList<>();
        private final NDManager manager;

        RunningSumTask(RecurrentNet net, NDManager manager) {
            this.net = net;
            this.manager = manager;
            this.carried = new CarriedState(manager);
            Random random = new Random(11);
            for (int s = 0; s < SEQUENCES; s++) {
                float sum = 0;
                for (int t = 0; t < LENGTH; t++) {
                    int i = s * LENGTH + t;
                    inputs[2 * i] = (float) random.nextGaussian();
                    inputs[2 * i + 1] = (float) random.nextGaussian();
                    sum += 0.3f * (inputs[2 * i] - inputs[2 * i + 1]);
                    targets[i] = sum;
                }
            }
        }

        @Override
        public List<int[]> trainBatches(int epoch, Random random) {
            List<Integer> order = new ArrayList<>();
            for (int s = 0; s < SEQUENCES - 8; s++) {
                order.add(s);
            }
            java.util.Collections.shuffle(order, random);
            List<int[]> batches = new ArrayList<>();
            for (int b = 0; b + BATCH <= order.size(); b += BATCH) {
                batches.add(order.subList(b, b + BATCH).stream().mapToInt(Integer::intValue).toArray());
            }
            return batches;
        }

        @Override
        public void startEpoch(int epoch) {
            startedEpochs.add(epoch);
            carried.reset();
        }

        @Override
        public NDArray loss(TaskContext context, int[] batch) {
            if (context.epoch() == crashEpoch && context.step() == crashStep) {
                throw new IllegalStateException("simulated crash");
            }
            if (context.training()) {
                liveArrays.add(manager.getManagedArrays().size());
            }
            NDList in = batchArrays(context.manager(), batch);
            if (carry && carried.get() != null) {
                in.addAll(carried.get());
            }
            NDList out = net.forward(context.parameterStore(), new NDList(in.get(0)).addAll(in.subNDList(2)),
                    context.training());
            carried.set(out.subNDList(1));
            return out.get(0).squeeze(2).sub(in.get(1)).square().mean();
        }

        private NDList batchArrays(NDManager manager, int[] batch) {
            float[] x = new float[batch.length * LENGTH * 2];
            float[] y = new float[batch.length * LENGTH];
            for (int b = 0; b < batch.length; b++) {
                System.arraycopy(inputs, batch[b] * LENGTH * 2, x, b * LENGTH * 2, LENGTH * 2);
                System.arraycopy(targets, batch[b] * LENGTH, y, b * LENGTH, LENGTH);
            }
            return new NDList(manager.create(x, new Shape(batch.length, LENGTH, 2)),
                    manager.create(y, new Shape(batch.length, LENGTH)));
        }

        @Override
        public long sampleCount(int[] batch) {
            return batch.length;
        }

        @Override
        public Map<String, Double> validate(TaskContext context) {
            int[] held = {16, 17, 18, 19, 20, 21, 22, 23};
            NDList in = batchArrays(context.manager(), held);
            NDList out = net.forward(context.parameterStore(), new NDList(in.get(0)), false);
            double loss = out.get(0).squeeze(2).sub(in.get(1)).square().mean().getFloat();
            return Map.of("val_loss", loss);
        }
    }

    static RecurrentNet newNet() {
        return RecurrentNet.builder().optDropout(0.1f).setSpec(NetworkSpec.builder().setCell(CellKind.LSTM)
                .setHiddenSize(6).optLayers(2).setFeatureInput(2).setOutputSize(1).build()).build();
    }

    static TrainerConfig config(int epochs) {
        return TrainerConfig.builder().setEpochs(epochs).optLearningRate(0.02f).optWarmUpSteps(3)
                .optCosineSchedule(0.001f).optClipGradNorm(1f).optMonitor("val_loss", false).optPatience(0)
                .optSeed(7).build();
    }

    record Run(TrainingResult result, Map<String, float[]> weights, String output) {
    }

    static Run train(Path dir, int epochs, int crashEpoch, boolean resume) throws IOException {
        return train(dir, epochs, crashEpoch, resume, true);
    }

    static Run train(Path dir, int epochs, int crashEpoch, boolean resume, boolean carry) throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = newNet();
            RunningSumTask task = new RunningSumTask(net, manager);
            task.crashEpoch = crashEpoch;
            task.crashStep = 1;
            task.carry = carry;
            Trainer<int[]> trainer = Trainer.<int[]>builder().setModel(net).setManager(manager).setTask(task)
                    .setConfig(config(epochs)).setRunDirectory(dir).optRestoreBest(false)
                    .optProgress(new PrintStream(console, true), ConsoleProgress.Mode.LINES).build();
            TrainingResult result = resume ? trainer.resume() : trainer.fit();
            Map<String, float[]> weights = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : net.getParameters()) {
                weights.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
            task.carried.close();
            return new Run(result, weights, console.toString());
        }
    }

    @Test
    void sameSeedGivesSameLossesAndWeights(@TempDir Path dir) throws IOException {
        Run a = train(dir.resolve("a"), 3, -1, false, false);
        Run b = train(dir.resolve("b"), 3, -1, false, false);
        assertEquals(3, a.result().epochsCompleted());
        for (int e = 0; e < 3; e++) {
            assertEquals(a.result().history().get(e).trainLoss(), b.result().history().get(e).trainLoss(), 0.0);
            assertEquals(a.result().history().get(e).validation(), b.result().history().get(e).validation());
        }
        a.weights().forEach((name, w) -> assertArrayEquals(w, b.weights().get(name), name));
        double first = a.result().history().get(0).trainLoss();
        double last = a.result().history().get(2).trainLoss();
        assertTrue(last < 0.9 * first, "training loss should fall: " + first + " → " + last);
        assertTrue(a.output().contains("epoch 3/3 train_loss"), a.output());
    }

    /**
     * Nothing a training step creates may outlive it: each step of the last epoch starts with as many live arrays
     * under the trainer's manager as the same step of the first (the gradient-norm computation once left two
     * arrays per parameter on the parameters' manager every step, 700 KB a batch for the language-ID network).
     */
    @Test
    void trainingStepsLeaveNoArraysBehind(@TempDir Path dir) throws IOException {
        int epochs = 3;
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = newNet();
            RunningSumTask task = new RunningSumTask(net, manager);
            task.carry = true;
            Trainer.<int[]>builder().setModel(net).setManager(manager).setTask(task).setConfig(config(epochs))
                    .setRunDirectory(dir).optRestoreBest(false)
                    .optProgress(new PrintStream(new ByteArrayOutputStream(), true), ConsoleProgress.Mode.OFF)
                    .build().fit();
            int steps = task.liveArrays.size() / epochs;
            assertEquals(task.liveArrays.subList(0, steps), task.liveArrays.subList((epochs - 1) * steps,
                    epochs * steps), "live arrays per step, all epochs: " + task.liveArrays);
            task.carried.close();
        }
    }

    @Test
    void resumeAfterCrashEqualsUninterruptedRun(@TempDir Path dir) throws IOException {
        Run full = train(dir.resolve("full"), 4, -1, false);
        Path crashed = dir.resolve("crashed");
        IllegalStateException crash = assertThrows(IllegalStateException.class, () -> train(crashed, 4, 2, false));
        assertEquals("simulated crash", crash.getMessage());
        JsonArray metrics = JsonParser.parseString(Files.readString(crashed.resolve(Trainer.METRICS_FILE)))
                .getAsJsonArray();
        assertEquals(2, metrics.size(), "epochs 0 and 1 completed before the crash");

        Run resumed = train(crashed, 4, -1, true);
        assertTrue(resumed.output().contains("resuming"), resumed.output());
        assertEquals(4, resumed.result().epochsCompleted());
        assertEquals(4, resumed.result().history().size());
        for (int e = 0; e < 4; e++) {
            assertEquals(full.result().history().get(e).trainLoss(), resumed.result().history().get(e).trainLoss(),
                    0.0, "epoch " + e);
        }
        full.weights().forEach((name, w) -> assertArrayEquals(w, resumed.weights().get(name), name));
        assertEquals(4, JsonParser.parseString(Files.readString(crashed.resolve(Trainer.METRICS_FILE)))
                .getAsJsonArray().size());

        // A finished run resumes to the same result without training.
        Run again = train(crashed, 4, 0, true);
        assertEquals(4, again.result().epochsCompleted());
        full.weights().forEach((name, w) -> assertArrayEquals(w, again.weights().get(name), name));
    }

    @Test
    void fitRefusesAnExistingRunAndResumeRefusesChangedConfig(@TempDir Path dir) throws IOException {
        train(dir, 1, -1, false);
        assertTrue(Trainer.hasCheckpoint(dir));
        assertThrows(IllegalStateException.class, () -> train(dir, 1, -1, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> train(dir, 2, -1, true));
        assertTrue(e.getMessage().contains("epochs"), e.getMessage());
        assertThrows(IOException.class, () -> train(dir.resolve("empty"), 1, -1, true));
    }

    @Test
    void earlyStoppingKeepsTheBestEpoch(@TempDir Path dir) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = newNet();
            RunningSumTask inner = new RunningSumTask(net, manager);
            TrainingTask<int[]> worsening = new TrainingTask<>() {
                @Override
                public List<int[]> trainBatches(int epoch, Random random) {
                    return inner.trainBatches(epoch, random);
                }

                @Override
                public NDArray loss(TaskContext context, int[] batch) {
                    return inner.loss(context, batch);
                }

                @Override
                public long sampleCount(int[] batch) {
                    return batch.length;
                }

                @Override
                public Map<String, Double> validate(TaskContext context) {
                    return Map.of("accuracy", 1.0 / (context.epoch() + 1)); // best at epoch 0, then worse
                }
            };
            TrainerConfig config = TrainerConfig.builder().setEpochs(10).optMonitor("accuracy", true)
                    .optPatience(2).build();
            Trainer<int[]> trainer = Trainer.<int[]>builder().setModel(net).setManager(manager).setTask(worsening)
                    .setConfig(config).setRunDirectory(dir)
                    .optProgress(new PrintStream(new ByteArrayOutputStream()), ConsoleProgress.Mode.OFF).build();
            TrainingResult result = trainer.fit();
            assertTrue(result.stoppedEarly());
            assertEquals(3, result.epochsCompleted());
            assertEquals(0, result.bestEpoch());
            assertEquals(1.0, result.bestMetric());
            // Restored best weights equal the saved best.params.
            Map<String, float[]> restored = new LinkedHashMap<>();
            net.getParameters().forEach(p -> restored.put(p.getKey(), p.getValue().getArray().toFloatArray()));
            RecurrentNet other = newNet();
            other.initialize(manager);
            ParameterFiles.load(other, dir.resolve(Trainer.BEST_PARAMETERS_FILE));
            other.getParameters().forEach(p -> assertArrayEquals(restored.get(p.getKey()),
                    p.getValue().getArray().toFloatArray(), p.getKey()));
            inner.carried.close();
        }
    }

    @Test
    void missingMonitorMetricIsReported(@TempDir Path dir) {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = newNet();
            RunningSumTask task = new RunningSumTask(net, manager);
            Trainer<int[]> trainer = Trainer.<int[]>builder().setModel(net).setManager(manager).setTask(task)
                    .setConfig(TrainerConfig.builder().setEpochs(1).optMonitor("accuracy", true).build())
                    .setRunDirectory(dir).optProgress(System.out, ConsoleProgress.Mode.OFF).build();
            IllegalStateException e = assertThrows(IllegalStateException.class, trainer::fit);
            assertTrue(e.getMessage().contains("accuracy") && e.getMessage().contains("val_loss"), e.getMessage());
            task.carried.close();
        }
    }

    @Test
    void invalidHyperparametersAreRejected() {
        assertMessage("epochs", () -> TrainerConfig.builder().build());
        assertMessage("epochs", () -> TrainerConfig.builder().setEpochs(-1).build());
        assertMessage("learningRate", () -> TrainerConfig.builder().setEpochs(1).optLearningRate(0).build());
        assertMessage("learningRate", () -> TrainerConfig.builder().setEpochs(1).optLearningRate(Float.NaN).build());
        assertMessage("minLearningRate", () -> TrainerConfig.builder().setEpochs(1).optLearningRate(0.1f)
                .optCosineSchedule(0.2f).build());
        assertMessage("warmUpSteps", () -> TrainerConfig.builder().setEpochs(1).optWarmUpSteps(-1).build());
        assertMessage("stepFactor", () -> TrainerConfig.builder().setEpochs(1).optStepSchedule(2, 1.5f).build());
        assertMessage("stepEpochs", () -> TrainerConfig.builder().setEpochs(1).optStepSchedule(0, 0.5f).build());
        assertMessage("beta1", () -> TrainerConfig.builder().setEpochs(1).optAdam(1f, 0.999f, 1e-8f).build());
        assertMessage("beta2", () -> TrainerConfig.builder().setEpochs(1).optAdam(0.9f, -0.1f, 1e-8f).build());
        assertMessage("epsilon", () -> TrainerConfig.builder().setEpochs(1).optAdam(0.9f, 0.999f, 0).build());
        assertMessage("weightDecay", () -> TrainerConfig.builder().setEpochs(1).optWeightDecay(-1).build());
        assertMessage("clipGradNorm", () -> TrainerConfig.builder().setEpochs(1).optClipGradNorm(-1).build());
        assertMessage("monitor", () -> TrainerConfig.builder().setEpochs(1).optMonitor(" ", false).build());
        assertMessage("patience", () -> TrainerConfig.builder().setEpochs(1).optPatience(-2).build());
        assertMessage("schedule", () -> TrainerConfig.Schedule.fromId("linear"));
        assertMessage("model", () -> Trainer.builder().build());
    }

    private static void assertMessage(String name, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(name + ":"), "message should name " + name + ": " + e.getMessage());
    }

    @Test
    void stepScheduleDecaysPerEpoch(@TempDir Path dir) throws IOException {
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = newNet();
            RunningSumTask task = new RunningSumTask(net, manager);
            Trainer<int[]> trainer = Trainer.<int[]>builder().setModel(net).setManager(manager).setTask(task)
                    .setConfig(TrainerConfig.builder().setEpochs(3).optLearningRate(0.01f).optStepSchedule(1, 0.5f)
                            .optMonitor("val_loss", false).build())
                    .setRunDirectory(dir).optProgress(System.out, ConsoleProgress.Mode.OFF).build();
            List<EpochRecord> history = trainer.fit().history();
            assertEquals(0.01, history.get(0).learningRate(), 1e-7);
            assertEquals(0.005, history.get(1).learningRate(), 1e-7);
            assertEquals(0.0025, history.get(2).learningRate(), 1e-7);
            assertFalse(task.startedEpochs.isEmpty());
            assertEquals(List.of(0, 1, 2), task.startedEpochs);
            task.carried.close();
        }
    }
}
