package io.stepwise.training.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the checkpoint fixture that {@code CheckpointCompatibilityTest} resumes: a run folder left by the code
 * that wrote it, and what that code computed when it resumed the run. Frozen on purpose: the network, task and
 * configuration below must not change, or the committed files no longer describe them.
 *
 * <p>The run: {@link #EPOCHS} epochs of a one-layer LSTM (hidden 4, two features, dropout 0.1, so that the
 * per-epoch engine seed matters) learning running sums, Adam with warm-up, cosine decay and gradient clipping. It
 * is stopped as epoch {@link #STOP_AT} starts, after the checkpoint of epoch {@code STOP_AT − 1} is on disk (where
 * a time limit stops a run too). Written files:
 * <ul>
 *   <li>{@code checkpoint.bin}, {@code best.params} — the run folder as the stop left it;</li>
 *   <li>{@code expected-final.params} — the weights after resuming to the last epoch (best weights not
 *       restored);</li>
 *   <li>{@code expected.json} — the resumed run's result and per-epoch history (timings left out), and the
 *       {@link #probe() platform probe}.</li>
 * </ul>
 *
 * <p>The folder {@code checkpoint-v1} was written with the code of checkpoint version 1, after {@code make build}:
 * <pre>
 * mvn -o -q -pl training test-compile
 * cp="training/target/test-classes:training/target/classes:$(cat training/target/classpath.txt)"
 * java -Dai.djl.offline=true -cp "$cp" io.stepwise.training.train.CheckpointFixture \
 *     training/src/test/resources/io/stepwise/training/train/checkpoint-v1
 * </pre>
 * Never regenerate an existing folder: when a new checkpoint version is introduced, write its fixture into a new
 * folder ({@code checkpoint-v2}) and keep the old one as the older format's test.
 */
final class CheckpointFixture {
    /** Epochs of the run. */
    static final int EPOCHS = 4;
    /** The epoch (0-based) at whose start the first invocation stops. */
    static final int STOP_AT = 2;
    static final String CHECKPOINT = "checkpoint.bin";
    static final String BEST = "best.params";
    static final String EXPECTED_FINAL = "expected-final.params";
    static final String EXPECTED = "expected.json";

    private static final int SEQUENCES = 48;
    private static final int TRAINING_SEQUENCES = 40;
    private static final int LENGTH = 6;
    private static final int BATCH = 4;

    private CheckpointFixture() {
    }

    static RecurrentNet net() {
        return RecurrentNet.builder().optDropout(0.1f).setSpec(NetworkSpec.builder().setCell(CellKind.LSTM)
                .setHiddenSize(4).setFeatureInput(2).setOutputSize(1).build()).build();
    }

    static TrainerConfig config() {
        return TrainerConfig.builder().setEpochs(EPOCHS).optLearningRate(0.02f).optWarmUpSteps(3)
                .optCosineSchedule(0.001f).optClipGradNorm(1f).optMonitor("val_loss", false).optPatience(0)
                .optSeed(7).build();
    }

    /** Thrown by {@link Task#startEpoch} to stop a run between epochs. */
    static final class Stop extends RuntimeException {
        Stop() {
            super("stopped", null, false, false);
        }
    }

    /**
     * Learns the running sum of 0.3 (a − b) of two Gaussian features per step; validates on 8 held-out sequences.
     */
    static final class Task implements TrainingTask<int[]> {
        private final RecurrentNet net;
        private final float[] inputs = new float[SEQUENCES * LENGTH * 2];
        private final float[] targets = new float[SEQUENCES * LENGTH];
        private final int stopAt;

        /** {@code stopAt}: epoch at whose start to throw {@link Stop}; −1 = never. */
        Task(RecurrentNet net, int stopAt) {
            this.net = net;
            this.stopAt = stopAt;
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
            for (int s = 0; s < TRAINING_SEQUENCES; s++) {
                order.add(s);
            }
            java.util.Collections.shuffle(order, random);
            List<int[]> batches = new ArrayList<>();
            for (int b = 0; b < order.size(); b += BATCH) {
                batches.add(order.subList(b, b + BATCH).stream().mapToInt(Integer::intValue).toArray());
            }
            return batches;
        }

        @Override
        public void startEpoch(int epoch) {
            if (epoch == stopAt) {
                throw new Stop();
            }
        }

        @Override
        public NDArray loss(TaskContext context, int[] batch) {
            NDList in = arrays(context.manager(), batch);
            NDList out = net.forward(context.parameterStore(), new NDList(in.get(0)), context.training());
            return out.get(0).squeeze(2).sub(in.get(1)).square().mean();
        }

        @Override
        public long sampleCount(int[] batch) {
            return batch.length;
        }

        @Override
        public Map<String, Double> validate(TaskContext context) {
            int[] held = new int[SEQUENCES - TRAINING_SEQUENCES];
            for (int i = 0; i < held.length; i++) {
                held[i] = TRAINING_SEQUENCES + i;
            }
            NDList in = arrays(context.manager(), held);
            NDList out = net.forward(context.parameterStore(), new NDList(in.get(0)), false);
            return Map.of("val_loss", (double) out.get(0).squeeze(2).sub(in.get(1)).square().mean().getFloat());
        }

        private NDList arrays(NDManager manager, int[] batch) {
            float[] x = new float[batch.length * LENGTH * 2];
            float[] y = new float[batch.length * LENGTH];
            for (int b = 0; b < batch.length; b++) {
                System.arraycopy(inputs, batch[b] * LENGTH * 2, x, b * LENGTH * 2, LENGTH * 2);
                System.arraycopy(targets, batch[b] * LENGTH, y, b * LENGTH, LENGTH);
            }
            return new NDList(manager.create(x, new Shape(batch.length, LENGTH, 2)),
                    manager.create(y, new Shape(batch.length, LENGTH)));
        }
    }

    /** Runs the fixture's configuration in {@code dir}: fit (when {@code resume} is false) or resume. */
    static TrainingResult run(Path dir, NDManager manager, RecurrentNet net, int stopAt, boolean resume)
            throws IOException {
        Trainer<int[]> trainer = Trainer.<int[]>builder().setModel(net).setManager(manager)
                .setTask(new Task(net, stopAt)).setConfig(config()).setRunDirectory(dir).optRestoreBest(false)
                .optProgress(new PrintStream(new ByteArrayOutputStream(), true), ConsoleProgress.Mode.OFF).build();
        return resume ? trainer.resume() : trainer.fit();
    }

    /**
     * SHA-256 of a small PyTorch computation made of the kernels training uses (seeded normal and uniform draws,
     * a matrix product, tanh and sigmoid, and their gradient), independent of Stepwise's code. Float results of
     * such kernels may differ in the last bits between CPU families (vector instruction sets, BLAS code paths), so
     * bit-for-bit comparisons with numbers computed elsewhere are only meaningful where this probe matches.
     */
    static String probe() {
        DjlRuntime.seed(123);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(8, 6));
            NDArray mask = manager.randomUniform(0f, 1f, new Shape(8, 16)).gt(0.1f).toType(x.getDataType(), false);
            float[] values = new float[6 * 16];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) Math.cos(0.37 * i);
            }
            NDArray w = manager.create(values, new Shape(6, 16));
            w.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray z = x.matMul(w);
                y = z.tanh().mul(Activation.sigmoid(z)).mul(mask);
                collector.backward(y.square().mean());
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            // oneDNN's instruction-set cap (bin/stepwise and the test JVMs set AVX2; README, Known issues) changes the
            // LSTM kernels' rounding without changing this matMul probe, so it is part of the platform's identity.
            String isaCap = System.getenv("ONEDNN_MAX_CPU_ISA");
            if (isaCap != null) {
                digest.update(("ONEDNN_MAX_CPU_ISA=" + isaCap).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            digest.update(y.toByteArray());
            digest.update(w.getGradient().toByteArray());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The result and history that {@code expected.json} records; timings are left out (they vary). */
    static JsonObject describe(TrainingResult result) {
        JsonObject o = new JsonObject();
        o.addProperty("epochs_completed", result.epochsCompleted());
        o.addProperty("best_epoch", result.bestEpoch());
        o.addProperty("best_metric", result.bestMetric());
        o.addProperty("stopped_early", result.stoppedEarly());
        JsonArray history = new JsonArray();
        for (EpochRecord r : result.history()) {
            JsonObject row = new JsonObject();
            row.addProperty("epoch", r.epoch());
            row.addProperty("train_loss", r.trainLoss());
            row.addProperty("learning_rate", r.learningRate());
            row.addProperty("val_loss", r.validation().get("val_loss"));
            row.addProperty("improved", r.improved());
            history.add(row);
        }
        o.add("history", history);
        return o;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("args: expected the output folder but got " + args.length
                    + " arguments");
        }
        Path out = Files.createDirectories(Path.of(args[0]));
        Path work = Files.createTempDirectory("stepwise-checkpoint-fixture");
        Path stopped = work.resolve("stopped");
        try (NDManager manager = NDManager.newBaseManager()) {
            try {
                run(stopped, manager, net(), STOP_AT, false);
                throw new IllegalStateException("the run was expected to stop at epoch " + STOP_AT);
            } catch (Stop expected) {
                // The checkpoint of epoch STOP_AT − 1 is on disk.
            }
        }
        Files.copy(stopped.resolve(CHECKPOINT), out.resolve(CHECKPOINT), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(stopped.resolve(BEST), out.resolve(BEST), StandardCopyOption.REPLACE_EXISTING);

        Path resumed = Files.createDirectories(work.resolve("resumed"));
        Files.copy(out.resolve(CHECKPOINT), resumed.resolve(CHECKPOINT));
        Files.copy(out.resolve(BEST), resumed.resolve(BEST));
        JsonObject expected;
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = net();
            TrainingResult result = run(resumed, manager, net, -1, true);
            ParameterFiles.save(net, out.resolve(EXPECTED_FINAL));
            expected = describe(result);
        }
        expected.addProperty("probe", probe());
        Files.writeString(out.resolve(EXPECTED), new GsonBuilder().setPrettyPrinting().create().toJson(expected)
                + "\n", StandardCharsets.UTF_8);
        System.out.println("wrote " + out + ": " + String.join(", ", List.of(CHECKPOINT, BEST, EXPECTED_FINAL,
                EXPECTED)));
    }
}
