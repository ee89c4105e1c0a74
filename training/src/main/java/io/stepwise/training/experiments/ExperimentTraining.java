package io.stepwise.training.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.train.ConsoleProgress;
import io.stepwise.training.train.Trainer;
import io.stepwise.training.train.TrainerConfig;
import io.stepwise.training.train.TrainingResult;
import io.stepwise.training.train.TrainingTask;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Trains a network for an experiment with Stepwise's own loop ({@link Trainer}: Adam, global-norm clipping,
 * schedule, validation every epoch, best-epoch restore), in a scratch run folder that is removed afterwards, and
 * the helpers every experiment needs: the output of any of the networks, parameter counts, and hidden sizes that
 * match a parameter budget.
 */
public final class ExperimentTraining {
    private ExperimentTraining() {
    }

    /** A finished training run: the trainer's result and what it cost. */
    public record Run(TrainingResult result, double wallSeconds, double cpuSeconds) {
    }

    /**
     * Trains {@code model} on {@code task} with {@code config} in a fresh folder under {@code workDir}, which is
     * deleted afterwards (the weights stay in the model, restored to the best epoch).
     */
    public static <B> Run train(Block model, Shape inputShape, NDManager manager, TrainingTask<B> task,
                                TrainerConfig config, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path runDir = Files.createTempDirectory(workDir, "run-");
        RunClock clock = RunClock.start();
        try {
            Trainer<B> trainer = Trainer.<B>builder().setModel(model).setManager(manager).setTask(task)
                    .setConfig(config).setRunDirectory(runDir).optInputShapes(inputShape)
                    .optProgress(new ConsoleProgress(new PrintStream(OutputStream.nullOutputStream()),
                            ConsoleProgress.Mode.OFF, 10))
                    .build();
            TrainingResult result = trainer.fit();
            return new Run(result, clock.wallSeconds(), clock.threadCpuSeconds());
        } finally {
            deleteTree(runDir);
        }
    }

    /** The first output of {@code model} on {@code x}: what both the recurrent and convolutional nets return. */
    public static NDArray output(Block model, ParameterStore store, NDArray x, boolean training) {
        return model.forward(store, new NDList(x), training).get(0);
    }

    /** Trainable values in an initialised {@code model}. */
    public static long parameterCount(Block model) {
        long n = 0;
        for (Pair<String, ai.djl.nn.Parameter> p : model.getParameters()) {
            n += p.getValue().getArray().size();
        }
        return n;
    }

    /** Parameters of a {@link io.stepwise.training.model.RecurrentNet} built from {@code spec}. */
    public static long parameterCount(NetworkSpec spec) {
        long g = spec.cell().gateCount();
        long h = spec.hiddenSize();
        long total = 0;
        for (int l = 0; l < spec.layers(); l++) {
            long layerIn = spec.layerInputSize(l);
            total += spec.directions() * (g * h * (layerIn + h) + 2 * g * h);
        }
        if (spec.inputKind() == io.stepwise.conversion.InputKind.TOKENS) {
            total += (long) spec.inputSize() * spec.embeddingSize();
        }
        total += (long) spec.outputSize() * spec.headInputSize() + spec.outputSize();
        return total;
    }

    /**
     * The hidden size at which a one-layer {@code cell} with {@code inputSize} inputs per step and a head of
     * {@code outputSize} comes closest to {@code budget} recurrent + head parameters.
     */
    public static int hiddenForBudget(CellKind cell, int inputSize, int outputSize, long budget) {
        int best = 1;
        long bestGap = Long.MAX_VALUE;
        for (int h = 1; h <= 4096; h++) {
            long g = cell.gateCount();
            long count = g * h * (inputSize + h) + 2 * g * h + (long) outputSize * h + outputSize;
            long gap = Math.abs(count - budget);
            if (gap < bestGap) {
                best = h;
                bestGap = gap;
            }
            if (count > budget) {
                break;
            }
        }
        return best;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
