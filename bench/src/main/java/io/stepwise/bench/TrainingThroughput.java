package io.stepwise.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import com.google.gson.Gson;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.train.ConsoleProgress;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.TaskContext;
import io.stepwise.training.train.Trainer;
import io.stepwise.training.train.TrainerConfig;
import io.stepwise.training.train.TrainingResult;
import io.stepwise.training.train.TrainingTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Training throughput of Stepwise's {@link Trainer} (Adam, gradient clipping, per-epoch checkpoints) on the
 * benchmark language model, with random token batches of {@code batch × sequence} next-token targets. The first
 * epoch is warm-up; the Trainer's own per-epoch tokens/s (training time only) of the others are reported.
 *
 * <p>Run in its own JVM by {@link BenchmarkSuite}:
 * {@code cell hidden layers batch sequence batchesPerEpoch epochs threads} (PyTorch intra-op threads);
 * prints one line {@code RESULT {json}}.
 */
public final class TrainingThroughput {
    private TrainingThroughput() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 8) {
            throw new IllegalArgumentException("args: expected cell hidden layers batch sequence batchesPerEpoch"
                    + " epochs threads but got " + Arrays.toString(args));
        }
        String cell = args[0];
        int hidden = Integer.parseInt(args[1]);
        int layers = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int sequence = Integer.parseInt(args[4]);
        int batchesPerEpoch = Integer.parseInt(args[5]);
        int epochs = Integer.parseInt(args[6]);
        int threads = Integer.parseInt(args[7]);
        if (threads < 1) {
            throw new IllegalArgumentException("threads: expected at least 1 but got " + threads);
        }
        // PyTorch reads these once, when the engine starts (below, on first use).
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (epochs < 2) {
            throw new IllegalArgumentException("epochs: expected at least 2 (the first is warm-up) but got " + epochs);
        }
        NetworkSpec spec = BenchModels.spec(cell, hidden, layers);
        DjlRuntime.configure();
        Path runDirectory = Files.createTempDirectory("stepwise-bench-train");
        Random random = new Random(BenchModels.SEED);
        long[][][] data = new long[batchesPerEpoch][batch][sequence + 1];
        for (long[][] b : data) {
            for (long[] row : b) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = random.nextInt(BenchModels.VOCABULARY);
                }
            }
        }
        RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
        Loss loss = Loss.softmaxCrossEntropyLoss();
        TrainingTask<Integer> task = new TrainingTask<>() {
            @Override
            public List<Integer> trainBatches(int epoch, Random r) {
                return IntStream.range(0, batchesPerEpoch).boxed().toList();
            }

            @Override
            public NDArray loss(TaskContext context, Integer index) {
                long[][] rows = data[index];
                long[] inputs = new long[batch * sequence];
                long[] targets = new long[batch * sequence];
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(rows[b], 0, inputs, b * sequence, sequence);
                    System.arraycopy(rows[b], 1, targets, b * sequence, sequence);
                }
                NDManager m = context.manager();
                NDArray x = m.create(inputs).reshape(batch, sequence);
                NDArray logits = net.forward(context.parameterStore(), new NDList(x), context.training()).get(0);
                return loss.evaluate(new NDList(m.create(targets)),
                        new NDList(logits.reshape(batch * sequence, BenchModels.VOCABULARY)));
            }

            @Override
            public long sampleCount(Integer index) {
                return (long) batch * sequence;
            }

            @Override
            public Map<String, Double> validate(TaskContext context) {
                return Map.of();
            }
        };
        TrainerConfig config = TrainerConfig.builder().setEpochs(epochs).optPatience(0).build();
        TrainingResult result;
        try (NDManager manager = NDManager.newBaseManager()) {
            result = Trainer.<Integer>builder().setModel(net).setManager(manager).setTask(task).setConfig(config)
                    .setRunDirectory(runDirectory).optProgress(System.err, ConsoleProgress.Mode.OFF).build().fit();
        } finally {
            deleteTree(runDirectory);
        }
        List<Double> tokensPerSecond = new ArrayList<>();
        for (EpochRecord r : result.history().subList(1, result.history().size())) {
            tokensPerSecond.add(r.samplesPerSecond());
        }
        double forward = BenchModels.forwardFlopsPerToken(spec);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cell", cell);
        out.put("hidden", hidden);
        out.put("layers", layers);
        out.put("batch", batch);
        out.put("sequence", sequence);
        out.put("batches_per_epoch", batchesPerEpoch);
        out.put("measured_epochs", tokensPerSecond.size());
        out.put("tokens_per_second", tokensPerSecond);
        out.put("forward_flops_per_token", forward);
        out.put("training_flops_per_token", 3 * forward);
        out.put("pytorch_threads", threads);
        out.put("final_train_loss", result.history().get(result.history().size() - 1).trainLoss());
        System.out.println("RESULT " + new Gson().toJson(out));
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
