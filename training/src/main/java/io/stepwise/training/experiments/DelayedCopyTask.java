package io.stepwise.training.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.train.CarriedState;
import io.stepwise.training.train.TaskContext;
import io.stepwise.training.train.TrainingTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The delayed-copy task ({@link DelayedCopy}) trained with truncated back-propagation through time: every epoch
 * draws {@code streams} fresh streams of {@code epochLength} symbols and reads them in consecutive windows of
 * {@code truncation} steps; the recurrent state is carried from window to window with its gradient cut
 * ({@link CarriedState}), so the network sees the whole stream but gradients reach back at most to the start of
 * the current window. Loss: cross-entropy of x[t − delay] at every step that has one. Validation
 * ({@code val_accuracy}): the share of correct answers over fixed held-out streams, read with the state carried
 * throughout.
 */
final class DelayedCopyTask implements TrainingTask<DelayedCopyTask.Window> {
    static final String VAL_ACCURACY = "val_accuracy";

    /** Window {@code index} of the epoch whose streams are drawn from {@code epochSeed}. */
    record Window(long epochSeed, int index) {
    }

    private final RecurrentNet net;
    private final int alphabet;
    private final int delay;
    private final int truncation;
    private final int streams;
    private final int epochLength;
    private final int[][] validation;
    private long cachedSeed;
    private int[][] cached;
    private CarriedState carried;

    DelayedCopyTask(RecurrentNet net, int alphabet, int delay, int truncation, int streams, int epochLength,
                    int[][] validation) {
        if (epochLength % truncation != 0) {
            throw new IllegalArgumentException("epochLength: " + epochLength + " is not a multiple of the truncation "
                    + truncation);
        }
        this.net = net;
        this.alphabet = alphabet;
        this.delay = delay;
        this.truncation = truncation;
        this.streams = streams;
        this.epochLength = epochLength;
        this.validation = validation;
    }

    @Override
    public List<Window> trainBatches(int epoch, Random random) {
        long seed = random.nextLong();
        List<Window> windows = new ArrayList<>();
        for (int i = 0; i < epochLength / truncation; i++) {
            windows.add(new Window(seed, i));
        }
        return windows;
    }

    @Override
    public void startEpoch(int epoch) {
        if (carried != null) {
            carried.reset();
        }
    }

    private int[][] streams(long seed) {
        if (cached == null || cachedSeed != seed) {
            cached = DelayedCopy.streams(streams, epochLength, alphabet, new Random(seed));
            cachedSeed = seed;
        }
        return cached;
    }

    @Override
    public NDArray loss(TaskContext context, Window batch) {
        if (carried == null) {
            carried = new CarriedState(net.getParameters().get(0).getValue().getArray().getManager());
        }
        int[][] data = streams(batch.epochSeed());
        int from = batch.index() * truncation;
        NDManager m = context.manager();
        NDList xy = window(m, data, from, truncation);
        NDList inputs = new NDList(xy.get(0));
        if (carried.get() != null) {
            inputs.addAll(carried.get());
        }
        NDList out = net.forward(context.parameterStore(), inputs, true);
        carried.set(out.subNDList(1));
        return maskedCrossEntropy(out.get(0), xy.get(1), xy.get(2));
    }

    @Override
    public long sampleCount(Window batch) {
        return (long) streams * truncation;
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(VAL_ACCURACY, accuracy(context.manager(), net, validation, delay));
    }

    /**
     * Inputs [streams, length] (int64), targets (x[t − delay], 0 where there is none) and a mask (1 where there is
     * a target) for steps {@code from} … {@code from + length − 1}.
     */
    private NDList window(NDManager m, int[][] data, int from, int length) {
        return window(m, data, from, length, delay);
    }

    static NDList window(NDManager m, int[][] data, int from, int length, int delay) {
        int n = data.length;
        long[] x = new long[n * length];
        long[] y = new long[n * length];
        float[] mask = new float[n * length];
        for (int s = 0; s < n; s++) {
            for (int t = 0; t < length; t++) {
                int at = s * length + t;
                x[at] = data[s][from + t];
                int answer = DelayedCopy.answer(data[s], from + t, delay);
                y[at] = Math.max(answer, 0);
                mask[at] = answer >= 0 ? 1f : 0f;
            }
        }
        Shape shape = new Shape(n, length);
        return new NDList(m.create(x, shape), m.create(y, shape), m.create(mask, shape));
    }

    /** Mean cross-entropy over the masked-in positions. */
    static NDArray maskedCrossEntropy(NDArray logits, NDArray targets, NDArray mask) {
        long classes = logits.getShape().get(2);
        NDArray logProbabilities = logits.logSoftmax(-1);
        NDArray picked = logProbabilities.mul(targets.oneHot((int) classes)).sum(new int[] {2});
        return picked.mul(mask).sum().neg().div(mask.sum().maximum(1f));
    }

    /** Share of correct answers over {@code data}, read in chunks with the state carried, no gradients. */
    static double accuracy(NDManager manager, RecurrentNet net, int[][] data, int delay) {
        int length = data[0].length;
        int chunk = 100;
        long correct = 0;
        long total = 0;
        try (NDManager m = manager.newSubManager()) {
            NDList state = null;
            ParameterStore store = new ParameterStore(m, false);
            for (int from = 0; from < length; from += chunk) {
                int len = Math.min(chunk, length - from);
                NDList xy = window(m, data, from, len, delay);
                NDList inputs = new NDList(xy.get(0));
                if (state != null) {
                    inputs.addAll(state);
                }
                NDList out = net.forward(store, inputs, false);
                state = out.subNDList(1);
                NDArray predicted = out.get(0).argMax(2);
                NDArray hit = predicted.eq(xy.get(1)).toType(DataType.FLOAT32, false).mul(xy.get(2));
                correct += Math.round(hit.sum().getFloat());
                total += Math.round(xy.get(2).sum().getFloat());
            }
        }
        return (double) correct / total;
    }
}
