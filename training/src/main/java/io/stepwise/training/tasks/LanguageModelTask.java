package io.stepwise.training.tasks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.runtime.BatchResult;
import io.stepwise.runtime.Logits;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.training.data.BpttBatches;
import io.stepwise.training.data.CharCorpus;
import io.stepwise.training.data.CharVocabulary;
import io.stepwise.training.data.EuroparlText;
import io.stepwise.training.data.KneserNeyModel;
import io.stepwise.training.data.Metrics;
import io.stepwise.training.data.Plots;
import io.stepwise.training.train.CarriedState;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.TaskContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Character language model: predicts the next character of a UTF-8 text (default: the English Europarl sample,
 * {@link EuroparlText}).
 *
 * <h2>Training</h2>
 * The training part of the {@link CharCorpus} (its first 90 %) is cut into {@code batchSize} parallel streams and
 * read in windows of {@code bptt} characters ({@link BpttBatches}); the recurrent state is carried from one window
 * to the next with its gradient cut ({@link CarriedState}: truncated back-propagation through time) and reset at
 * every epoch start. Each epoch starts the streams at a random offset below {@code bptt}, so window boundaries
 * move between epochs. Gradients are clipped by the trainer (global L2 norm 5).
 *
 * <h2>Evaluation protocol</h2>
 * Validation bits per character over the held-out tail (last 10 %): the tail is cut into
 * {@value #EVAL_STREAMS} contiguous streams, each read from a zero state in windows of {@value #EVAL_BPTT}
 * characters with the state carried, every character predicted from all characters before it in its stream;
 * bpc = mean cross-entropy / ln 2. {@link ModelEvaluation} repeats exactly this through the runtime. The baseline
 * is an interpolated Kneser–Ney {@value #BASELINE_ORDER}-gram model ({@link KneserNeyModel}) fitted on the same
 * training part and scored on the same tail (one stream).
 */
public final class LanguageModelTask extends RecurrentTask<BpttBatches.Window> {
    /** Parallel streams of the validation pass. */
    public static final int EVAL_STREAMS = 8;
    /** Characters per validation window. */
    public static final int EVAL_BPTT = 250;
    /** Order of the n-gram baseline. */
    public static final int BASELINE_ORDER = KneserNeyModel.DEFAULT_ORDER;
    /** Primary metric: validation bits per character. */
    public static final String VAL_BPC = "val_bpc";
    /** The baseline's bits per character on the same split. */
    public static final String BASELINE_BPC = "baseline_kn" + BASELINE_ORDER + "_bpc";

    private static final double LN2 = Math.log(2);

    private final TrainingOptions options;
    private final CharCorpus corpus;
    private final int[] trainIds;
    private final int[] validationIds;
    private final NetworkSpec spec;
    private CarriedState carried;
    private Double baselineBpc;

    /** Loads the corpus named by the options (or the Europarl default) and prepares the task. */
    public LanguageModelTask(TrainingOptions options) {
        this.options = options;
        this.corpus = corpus(options.data(), options.maxChars());
        this.trainIds = corpus.trainIds();
        this.validationIds = corpus.validationIds();
        if (trainIds.length < options.batchSize() * (options.bptt() + 1)) {
            throw new IllegalArgumentException("--batch-size: " + options.batchSize() + " streams of --bptt "
                    + options.bptt() + " need at least " + options.batchSize() * (options.bptt() + 1)
                    + " training characters but " + corpus.sourceName() + " has " + trainIds.length);
        }
        if (validationIds.length < EVAL_STREAMS + 1) {
            throw new IllegalArgumentException("--data: " + corpus.sourceName() + " leaves only "
                    + validationIds.length + " validation characters; expected at least " + (EVAL_STREAMS + 1));
        }
        this.spec = NetworkSpec.builder().setCell(options.cell()).optLayers(options.layers())
                .setHiddenSize(options.hidden())
                .setTokenInput(corpus.vocabulary().size(), options.embedding())
                .setOutputSize(corpus.vocabulary().size()).build();
    }

    /** The corpus of a file, or of the first {@code maxChars} English Europarl characters when file is null. */
    static CharCorpus corpus(Path file, int maxChars) {
        CharCorpus.Builder builder = CharCorpus.builder();
        if (file == null) {
            builder.setEuroparlEnglish(maxChars);
        } else {
            builder.setFile(file);
        }
        return builder.build();
    }

    public CharCorpus corpus() {
        return corpus;
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public String monitor() {
        return VAL_BPC;
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

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(VAL_BPC, validationBpc(context.manager(), context.parameterStore()));
    }

    private double validationBpc(NDManager manager, ParameterStore store) {
        double nats = 0;
        long count = 0;
        NDList state = null;
        for (BpttBatches.Window w : new BpttBatches(validationIds, EVAL_STREAMS, EVAL_BPTT)) {
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

    /** Bits per character of the Kneser–Ney baseline on the validation tail (computed once). */
    public double baselineBpc() {
        if (baselineBpc == null) {
            KneserNeyModel kn = KneserNeyModel.train(trainIds, corpus.vocabulary().size(), BASELINE_ORDER);
            baselineBpc = kn.bitsPerToken(validationIds);
        }
        return baselineBpc;
    }

    @Override
    public Map<String, Double> finalMetrics(NDManager manager) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(VAL_BPC, validationBpc(manager, new ParameterStore(manager, false)));
        m.put(BASELINE_BPC, baselineBpc());
        return m;
    }

    @Override
    public void describeModel(ModelMetadata.Builder metadata) {
        metadata.optVocabulary(corpus.vocabulary().tokens()).optUnknownToken(CharVocabulary.UNKNOWN_ID);
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("data", options.data() == null ? "europarl-en" : options.data().toString());
        protocol.put("max_chars", options.maxChars());
        protocol.put("validation_fraction", corpus.validationFraction());
        protocol.put("min_count", corpus.minCount());
        protocol.put("streams", EVAL_STREAMS);
        protocol.put("bptt", EVAL_BPTT);
        protocol.put("metric", "bits per character over the validation tail, " + EVAL_STREAMS
                + " contiguous streams from a zero state, state carried across windows of " + EVAL_BPTT);
        metadata.optProperty(ModelEvaluation.EVALUATION_KEY, ModelEvaluation.toJson(protocol));
    }

    @Override
    public Map<String, Object> describeData() {
        Map<String, Object> m = corpus.describe();
        m.put("validation_unknown_chars", corpus.validationUnknownCount());
        return m;
    }

    @Override
    public void writePlots(Path runDirectory, List<EpochRecord> history) {
        double[] train = history.stream().mapToDouble(r -> r.trainLoss() / LN2).toArray();
        Plots.lossCurves(runDirectory.resolve("loss.png"), "Character LM (" + options.cell().id() + ")",
                "bits per character", train, series(history, VAL_BPC));
    }

    /**
     * Bits per character of an exported model on the validation tail of {@code corpus}, run through the runtime
     * with the protocol of the class javadoc; characters are re-encoded with the model's own vocabulary.
     */
    static double runtimeBpc(RecurrentModel model, CharCorpus corpus, int streams, int bptt) {
        String text = corpus.vocabulary().decode(corpus.validationIds());
        int[] ids = CharVocabulary.fromTokens(model.info().vocabulary()).encode(text);
        boolean lstm = model.info().hasCellState();
        double nats = 0;
        long count = 0;
        float[] h = null;
        float[] c = null;
        for (BpttBatches.Window w : new BpttBatches(ids, streams, bptt)) {
            long[][] tokens = new long[w.inputs().length][];
            for (int b = 0; b < tokens.length; b++) {
                tokens[b] = Arrays.stream(w.inputs()[b]).asLongStream().toArray();
            }
            BatchResult result = model.forward(tokens, h, c);
            h = result.hn();
            c = lstm ? result.cn() : null;
            for (int b = 0; b < tokens.length; b++) {
                for (int t = 0; t < w.length(); t++) {
                    nats -= Logits.logSoftmax(result.outputAt(b, t))[w.targets()[b][t]];
                    count++;
                }
            }
        }
        return Metrics.bitsPerChar(nats / count);
    }
}
