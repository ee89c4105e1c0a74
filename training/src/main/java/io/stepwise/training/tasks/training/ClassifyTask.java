package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.data.CharVocabulary;
import io.stepwise.training.data.ConfusionMatrix;
import io.stepwise.training.data.NaiveBayesWordClassifier;
import io.stepwise.training.data.Plots;
import io.stepwise.training.data.WordLanguageDataset.LengthBatch;
import io.stepwise.training.data.WordLanguageDataset.Split;
import io.stepwise.training.data.WordLanguageDataset;
import io.stepwise.training.io.AtomicFiles;
import io.stepwise.training.tasks.DefaultPaths;
import io.stepwise.training.tasks.protocol.ClassifyProtocol;
import io.stepwise.training.tasks.protocol.EvaluationProtocol;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.TaskContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Word → language classifier over the folder of word lists {@code data/words} (11 languages, one
 * {@code <language>.txt} each; {@link WordLanguageDataset}).
 *
 * <p>The network reads a word one character at a time (bidirectional by default) and its linear head reads the
 * top layer's final states. Training batches hold words of one length, so no padding is needed. The split is
 * {@link ClassifyProtocol}'s (stratified 80/10/10, fixed seed, so every model is tested on the same words);
 * validation accuracy drives early stopping. Training words can be corrupted ({@link TokenDropout}) and the targets
 * smoothed ({@link TrainingOptions#labelSmoothing()}); validation and test words are read unchanged. Reported: accuracy and macro F1 on the held-out test words with the
 * confusion matrix, against a multinomial naive Bayes classifier over character 1–3-grams
 * ({@link NaiveBayesWordClassifier}) trained on the same training words.
 */
public final class ClassifyTask extends RecurrentTask<LengthBatch> {
    /** Monitor: accuracy on the validation words. */
    public static final String VAL_ACCURACY = "val_accuracy";

    private static final int EVAL_BATCH = 1024;

    private final TrainingOptions options;
    private final WordLanguageDataset dataset;
    private final NetworkSpec spec;
    private ConfusionMatrix testConfusion;
    private ConfusionMatrix baselineConfusion;

    /** Loads the word lists named by the options and prepares the task. */
    public ClassifyTask(TrainingOptions options) {
        this.options = options;
        this.dataset = ClassifyProtocol.dataset(options.data() == null
                ? DefaultPaths.resolve(ClassifyProtocol.DEFAULT_DATA) : options.data());
        this.spec = NetworkSpec.builder().setCell(options.cell()).optLayers(options.layers())
                .setHiddenSize(options.hidden()).optBidirectional(options.bidirectional())
                .setTokenInput(dataset.vocabulary().size(), options.embedding()).optHead(HeadKind.FINAL_STATE)
                .setOutputSize(dataset.labels().size()).build();
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public String monitor() {
        return VAL_ACCURACY;
    }

    @Override
    public boolean higherIsBetter() {
        return true;
    }

    @Override
    public List<LengthBatch> trainBatches(int epoch, Random random) {
        return dataset.lengthBatches(Split.TRAIN, options.batchSize(), random.nextLong());
    }

    @Override
    public NDArray loss(TaskContext context, LengthBatch batch) {
        NDManager manager = context.manager();
        int[][] words = options.tokenDropout() > 0
                ? TokenDropout.apply(batch.tokens(), options.tokenDropout(), options.seed(), context.epoch(),
                        context.step())
                : batch.tokens();
        NDArray logits = forward(context.parameterStore(), new NDList(tokens(manager, words)), true).get(0);
        return crossEntropy(logits, manager.create(batch.labels()), options.labelSmoothing());
    }

    @Override
    public long sampleCount(LengthBatch batch) {
        return batch.size();
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(VAL_ACCURACY, confusion(context.manager(), Split.VALIDATION).accuracy());
    }

    private ConfusionMatrix confusion(NDManager manager, Split split) {
        ParameterStore store = new ParameterStore(manager, false);
        ConfusionMatrix matrix = new ConfusionMatrix(dataset.labels());
        for (LengthBatch batch : dataset.lengthBatches(split, EVAL_BATCH, 0)) {
            try (NDManager batchManager = manager.newSubManager()) {
                NDArray logits = forward(store, new NDList(tokens(batchManager, batch.tokens())), false).get(0);
                long[] predicted = logits.argMax(1).toLongArray();
                for (int i = 0; i < predicted.length; i++) {
                    matrix.add(batch.labels()[i], (int) predicted[i]);
                }
            }
        }
        return matrix;
    }

    private static NDArray tokens(NDManager manager, int[][] words) {
        long[] flat = new long[words.length * words[0].length];
        int i = 0;
        for (int[] word : words) {
            for (int id : word) {
                flat[i++] = id;
            }
        }
        return manager.create(flat, new Shape(words.length, words[0].length));
    }

    @Override
    public Map<String, Double> finalMetrics(NDManager manager) {
        testConfusion = confusion(manager, Split.TEST);
        NaiveBayesWordClassifier bayes = NaiveBayesWordClassifier.train(dataset);
        WordLanguageDataset.Examples test = dataset.test();
        baselineConfusion = ConfusionMatrix.of(dataset.labels(), test.labels(), bayes.predict(test.words()));
        Map<String, Double> m = new LinkedHashMap<>(ClassifyProtocol.testMetrics(testConfusion));
        m.put(ClassifyProtocol.BASELINE_ACCURACY, baselineConfusion.accuracy());
        m.put(ClassifyProtocol.BASELINE_MACRO_F1, baselineConfusion.macroF1());
        m.put("test_words", (double) test.size());
        return m;
    }

    @Override
    public void describeModel(ModelMetadata.Builder metadata) {
        metadata.optVocabulary(dataset.vocabulary().tokens()).optUnknownToken(CharVocabulary.UNKNOWN_ID)
                .optLabels(dataset.labels());
        ClassifyProtocol.Protocol protocol = ClassifyProtocol.Protocol.of(options.data() == null
                ? ClassifyProtocol.DEFAULT_DATA : options.data());
        metadata.optProperty(EvaluationProtocol.KEY, EvaluationProtocol.toJson(protocol.toMap()));
    }

    @Override
    public Map<String, Object> describeData() {
        return dataset.describe();
    }

    @Override
    public void writePlots(Path runDirectory, List<EpochRecord> history) {
        Plots.lossCurves(runDirectory.resolve("loss.png"), "Language ID (" + options.cell().id() + ")",
                "cross-entropy (train) / accuracy (validation)",
                history.stream().mapToDouble(EpochRecord::trainLoss).toArray(), series(history, VAL_ACCURACY));
        if (testConfusion != null) {
            Plots.confusionHeatMap(runDirectory.resolve("confusion.png"), "Language ID (" + options.cell().id()
                    + "), test words", testConfusion);
            Plots.confusionHeatMap(runDirectory.resolve("confusion-naive-bayes.png"), "Naive Bayes baseline, test "
                    + "words", baselineConfusion);
            try {
                AtomicFiles.writeString(runDirectory.resolve("confusion.txt"), options.cell().id() + "\n"
                        + testConfusion.render() + "\nnaive Bayes\n" + baselineConfusion.render());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The test-split confusion matrix of the last {@link #finalMetrics} call, or null. */
    public ConfusionMatrix testConfusion() {
        return testConfusion;
    }
}
