package io.stepwise.training.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.stepwise.training.train.TaskContext;
import io.stepwise.training.train.TrainingTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Next-character prediction on windows of a character corpus, for any network with a per-step output (recurrent
 * or convolutional): each training batch is {@code batchSize} windows of {@code length} + 1 characters at random
 * offsets of the training ids (a batch is the seed of its offsets), every window starts from a zero state (no
 * carried state, so recurrent and convolutional networks see exactly the same context), and the loss is the mean
 * cross-entropy over every position. Validation: bits per character ({@code val_bpc}) over fixed, non-overlapping
 * windows of the validation ids.
 */
final class CharWindowTask implements TrainingTask<Long> {
    static final String VAL_BPC = "val_bpc";
    private static final Loss CROSS_ENTROPY = Loss.softmaxCrossEntropyLoss("cross_entropy", 1f, -1, true, true);

    private final Block model;
    private final int[] train;
    private final int[] validation;
    private final int length;
    private final int batchSize;
    private final int stepsPerEpoch;
    private final int validationWindows;

    CharWindowTask(Block model, int[] train, int[] validation, int length, int batchSize, int stepsPerEpoch,
                   int validationWindows) {
        if (train.length < length + 2 || validation.length < length + 1) {
            throw new IllegalArgumentException("corpus: too short for windows of " + length + " characters");
        }
        this.model = model;
        this.train = train;
        this.validation = validation;
        this.length = length;
        this.batchSize = batchSize;
        this.stepsPerEpoch = stepsPerEpoch;
        this.validationWindows = Math.min(validationWindows, validation.length / (length + 1));
    }

    @Override
    public List<Long> trainBatches(int epoch, Random random) {
        List<Long> seeds = new ArrayList<>(stepsPerEpoch);
        for (int i = 0; i < stepsPerEpoch; i++) {
            seeds.add(random.nextLong());
        }
        return seeds;
    }

    /** Windows of {@code length} + 1 ids at {@code batchSize} random offsets of the training ids. */
    int[][] windows(long seed) {
        Random random = new Random(seed);
        int[][] w = new int[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            int start = random.nextInt(train.length - length - 1);
            w[b] = java.util.Arrays.copyOfRange(train, start, start + length + 1);
        }
        return w;
    }

    @Override
    public NDArray loss(TaskContext context, Long batch) {
        NDList xy = inputsAndTargets(context.manager(), windows(batch), length);
        NDArray logits = ExperimentTraining.output(model, context.parameterStore(), xy.get(0), true);
        return crossEntropy(logits, xy.get(1));
    }

    @Override
    public long sampleCount(Long batch) {
        return (long) batchSize * length;
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(VAL_BPC, bitsPerCharacter(context.manager()));
    }

    /** Bits per character of the model over the validation windows. */
    double bitsPerCharacter(NDManager manager) {
        double nats = 0;
        int chunk = 32;
        for (int from = 0; from < validationWindows; from += chunk) {
            int to = Math.min(validationWindows, from + chunk);
            int[][] w = new int[to - from][];
            for (int i = from; i < to; i++) {
                w[i - from] = java.util.Arrays.copyOfRange(validation, i * (length + 1), (i + 1) * (length + 1));
            }
            try (NDManager m = manager.newSubManager()) {
                NDList xy = inputsAndTargets(m, w, length);
                NDArray logits = ExperimentTraining.output(model, new ParameterStore(m, false), xy.get(0), false);
                nats += crossEntropy(logits, xy.get(1)).toType(DataType.FLOAT64, false).getDouble() * (to - from);
            }
        }
        return nats / validationWindows / Math.log(2);
    }

    /** Inputs (the first {@code length} ids) and targets (the next id at each position), both int64. */
    static NDList inputsAndTargets(NDManager manager, int[][] windows, int length) {
        long[] x = new long[windows.length * length];
        long[] y = new long[windows.length * length];
        for (int b = 0; b < windows.length; b++) {
            for (int t = 0; t < length; t++) {
                x[b * length + t] = windows[b][t];
                y[b * length + t] = windows[b][t + 1];
            }
        }
        Shape shape = new Shape(windows.length, length);
        return new NDList(manager.create(x, shape), manager.create(y, shape));
    }

    /** Mean cross-entropy (nats) of {@code logits} [..., V] against {@code labels} [...]. */
    static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long classes = logits.getShape().get(logits.getShape().dimension() - 1);
        return CROSS_ENTROPY.evaluate(new NDList(labels.reshape(-1)), new NDList(logits.reshape(-1, classes)));
    }
}
