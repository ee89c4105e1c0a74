package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.data.BpttBatches;
import io.stepwise.training.data.KneserNeyModel;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.train.CarriedState;
import io.stepwise.training.train.TaskContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Next-token prediction over one long stream of token ids, shared by the character language model
 * ({@link LanguageModelTask}) and the next-event model ({@link EventModelTask}).
 *
 * <p>The training stream is cut into {@code batchSize} parallel streams read in windows of {@code bptt} tokens
 * ({@link BpttBatches}); the recurrent state is carried from one window to the next with its gradient cut
 * ({@link CarriedState}: truncated back-propagation through time) and reset at every epoch start. Each epoch
 * starts the streams at a random offset below {@code bptt}. The held-out stream is measured in bits per token,
 * read in {@link #evalStreams()} contiguous streams from a zero state with the state carried across windows of
 * {@link #evalBptt()}; the baseline is an interpolated Kneser–Ney n-gram model over the same ids.
 */
abstract class TokenStreamTask extends RecurrentTask<BpttBatches.Window> {
    private static final double LN2 = Math.log(2);

    private final TrainingOptions options;
    private final int[] trainIds;
    private final int[] validationIds;
    private final int vocabularySize;
    private final NetworkSpec spec;
    private CarriedState carried;
    private Double baselineBits;

    /**
     * @param unit what a token is, for messages (e.g. {@code characters})
     * @throws InvalidSettingException naming {@link Setting#BATCH_SIZE} when the training stream is too short for
     *                                 the streams and windows asked for
     */
    TokenStreamTask(TrainingOptions options, int[] trainIds, int[] validationIds, int vocabularySize, String source,
                    String unit) {
        this.options = options;
        this.trainIds = trainIds;
        this.validationIds = validationIds;
        this.vocabularySize = vocabularySize;
        if (trainIds.length < options.batchSize() * (options.bptt() + 1)) {
            throw new InvalidSettingException(Setting.BATCH_SIZE, names -> options.batchSize() + " streams of "
                    + names.apply(Setting.BPTT) + " " + options.bptt() + " need at least "
                    + options.batchSize() * (options.bptt() + 1) + " training " + unit + " but " + source
                    + " has " + trainIds.length);
        }
        this.spec = NetworkSpec.builder().setCell(options.cell()).optLayers(options.layers())
                .setHiddenSize(options.hidden()).setTokenInput(vocabularySize, options.embedding())
                .setOutputSize(vocabularySize).build();
    }

    /** Parallel streams of the held-out measurement. */
    abstract int evalStreams();

    /** Tokens per window of the held-out measurement. */
    abstract int evalBptt();

    /** Order of the Kneser–Ney baseline. */
    abstract int baselineOrder();

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public boolean higherIsBetter() {
        return false;
    }

    @Override
    public List<BpttBatches.Window> trainBatches(int epoch, Random random) {
        int offset = epoch == 0 ? 0 : random.nextInt(options.bptt());
        int[] stream = Arrays.copyOfRange(trainIds, offset, trainIds.length);
        List<BpttBatches.Window> windows = new ArrayList<>();
        new BpttBatches(stream, options.batchSize(), options.bptt()).forEach(windows::add);
        return windows;
    }

    @Override
    public void startEpoch(int epoch) {
        if (carried != null) {
            carried.reset();
        }
    }

    @Override
    public NDArray loss(TaskContext context, BpttBatches.Window batch) {
        if (carried == null) {
            // Lives as long as the network's parameters: a sub-manager of the manager that owns them.
            carried = new CarriedState(net().getParameters().get(0).getValue().getArray().getManager());
        }
        NDManager manager = context.manager();
        NDList inputs = new NDList(tokens(manager, batch.inputs()));
        NDList state = carried.get();
        if (state != null) {
            inputs.addAll(state);
        }
        NDList out = forward(context.parameterStore(), inputs, true);
        carried.set(out.subNDList(1));
        return crossEntropy(out.get(0), tokens(manager, batch.targets()));
    }

    @Override
    public long sampleCount(BpttBatches.Window batch) {
        return (long) batch.inputs().length * batch.length();
    }

    /** Bits per token of the network over the held-out stream. */
    double validationBits(NDManager manager, ParameterStore store) {
        double nats = 0;
        long count = 0;
        NDList state = null;
        for (BpttBatches.Window w : new BpttBatches(validationIds, evalStreams(), evalBptt())) {
            try (NDManager windowManager = manager.newSubManager()) {
                NDList inputs = new NDList(tokens(windowManager, w.inputs()));
                if (state != null) {
                    inputs.addAll(state);
                }
                NDList out = forward(store, inputs, false);
                long n = (long) w.inputs().length * w.length();
                nats += crossEntropy(out.get(0), tokens(windowManager, w.targets())).getFloat() * (double) n;
                count += n;
                NDList next = out.subNDList(1);
                next.attach(manager);
                if (state != null) {
                    state.close();
                }
                state = next;
            }
        }
        return nats / count / LN2;
    }

    /** Bits per token of the Kneser–Ney baseline on the held-out stream (computed once). */
    double baselineBits() {
        if (baselineBits == null) {
            KneserNeyModel kn = KneserNeyModel.train(trainIds, vocabularySize, baselineOrder());
            baselineBits = kn.bitsPerToken(validationIds);
        }
        return baselineBits;
    }

    /** Training losses of the epochs in bits. */
    static double toBits(double nats) {
        return nats / LN2;
    }

    private static NDArray tokens(NDManager manager, int[][] ids) {
        long[] flat = new long[ids.length * ids[0].length];
        int i = 0;
        for (int[] row : ids) {
            for (int id : row) {
                flat[i++] = id;
            }
        }
        return manager.create(flat, new Shape(ids.length, ids[0].length));
    }
}
