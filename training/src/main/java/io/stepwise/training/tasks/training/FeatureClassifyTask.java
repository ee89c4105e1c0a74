package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.data.ConfusionMatrix;
import io.stepwise.training.data.FeatureSequenceDataset;
import io.stepwise.training.data.FeatureSequenceDataset.LengthBatch;
import io.stepwise.training.data.FeatureSequenceDataset.Split;
import io.stepwise.training.data.GaussianNaiveBayes;
import io.stepwise.training.data.Plots;
import io.stepwise.training.tasks.protocol.ClassifyProtocol;
import io.stepwise.training.tasks.protocol.EvaluationProtocol;
import io.stepwise.training.tasks.protocol.InvalidSettingException;
import io.stepwise.training.tasks.protocol.Setting;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.TaskContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Sequence classifier over recordings of numeric feature vectors ({@link FeatureSequenceDataset}: a CSV with a
 * {@code sequence} id column, a {@code label} column and feature columns, one row per step).
 *
 * <p>The network reads a recording one standardized step at a time (bidirectional by default, like the word
 * classifier) and its linear head reads the top layer's final states; batches hold recordings of one length. The
 * split and metrics are {@link ClassifyProtocol}'s (stratified 80/10/10 over recordings, fixed seed; test accuracy
 * and macro F1); the baseline is Gaussian naive Bayes over per-recording summaries ({@link GaussianNaiveBayes}).
 * The feature names and the training mean and standard deviation are stored in the model
 * ({@code stepwise.feature_names}, {@code stepwise.scaling}): a caller scales raw steps with
 * {@code ModelInfo.scaling()} before {@code RecurrentModel.forward}.
 */
public final class FeatureClassifyTask extends RecurrentTask<LengthBatch> {
    private static final int EVAL_BATCH = 256;

    private final TrainingOptions options;
    private final FeatureSequenceDataset dataset;
    private final NetworkSpec spec;
    private ConfusionMatrix testConfusion;
    private ConfusionMatrix baselineConfusion;

    /** Loads the recordings named by the options. */
    public FeatureClassifyTask(TrainingOptions options) {
        if (options.tokenDropout() > 0) {
            throw new InvalidSettingException(Setting.TOKEN_DROPOUT, "applies to text, not to sequences of feature "
                    + "vectors (" + options.data() + "); use 0");
        }
        this.options = options;
        this.dataset = ClassifyProtocol.featureDataset(options.data(), ClassifyProtocol.Protocol.of(options.data()));
        this.spec = NetworkSpec.builder().setCell(options.cell()).optLayers(options.layers())
                .setHiddenSize(options.hidden()).optBidirectional(options.bidirectional())
                .setFeatureInput(dataset.features().size()).optHead(HeadKind.FINAL_STATE)
                .setOutputSize(dataset.labels().size()).build();
    }

    @Override
    public NetworkSpec spec() {
        return spec;
    }

    @Override
    public String monitor() {
        return ClassifyTask.VAL_ACCURACY;
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
        NDArray logits = forward(context.parameterStore(), new NDList(steps(manager, batch.steps())), true).get(0);
        return crossEntropy(logits, manager.create(batch.labels()), options.labelSmoothing());
    }

    @Override
    public long sampleCount(LengthBatch batch) {
        return batch.size();
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(ClassifyTask.VAL_ACCURACY, confusion(context.manager(), Split.VALIDATION).accuracy());
    }

    private ConfusionMatrix confusion(NDManager manager, Split split) {
        ParameterStore store = new ParameterStore(manager, false);
        ConfusionMatrix matrix = new ConfusionMatrix(dataset.labels());
        for (LengthBatch batch : dataset.lengthBatches(split, EVAL_BATCH, 0)) {
            try (NDManager batchManager = manager.newSubManager()) {
                NDArray logits = forward(store, new NDList(steps(batchManager, batch.steps())), false).get(0);
                long[] predicted = logits.argMax(1).toLongArray();
                for (int i = 0; i < predicted.length; i++) {
                    matrix.add(batch.labels()[i], (int) predicted[i]);
                }
            }
        }
        return matrix;
    }

    private static NDArray steps(NDManager manager, float[][][] batch) {
        int length = batch[0].length;
        int width = batch[0][0].length;
        float[] flat = new float[batch.length * length * width];
        int i = 0;
        for (float[][] sequence : batch) {
            for (float[] step : sequence) {
                System.arraycopy(step, 0, flat, i, width);
                i += width;
            }
        }
        return manager.create(flat, new Shape(batch.length, length, width));
    }

    @Override
    public Map<String, Double> finalMetrics(NDManager manager) {
        testConfusion = confusion(manager, Split.TEST);
        FeatureSequenceDataset.Examples train = dataset.split(Split.TRAIN);
        FeatureSequenceDataset.Examples test = dataset.split(Split.TEST);
        GaussianNaiveBayes bayes = GaussianNaiveBayes.train(train.steps(), train.labels(), dataset.labels().size());
        baselineConfusion = ConfusionMatrix.of(dataset.labels(), test.labels(), bayes.predict(test.steps()));
        Map<String, Double> m = new LinkedHashMap<>(ClassifyProtocol.testMetrics(testConfusion));
        m.put(ClassifyProtocol.BASELINE_ACCURACY, baselineConfusion.accuracy());
        m.put(ClassifyProtocol.BASELINE_MACRO_F1, baselineConfusion.macroF1());
        m.put("test_sequences", (double) test.size());
        return m;
    }

    @Override
    public void describeModel(ModelMetadata.Builder metadata) {
        metadata.optLabels(dataset.labels()).optFeatureNames(dataset.features())
                .optScaling(dataset.mean(), dataset.std());
        metadata.optProperty(EvaluationProtocol.KEY, EvaluationProtocol.toJson(
                ClassifyProtocol.Protocol.of(options.data()).toMap()));
    }

    @Override
    public Map<String, Object> describeData() {
        return dataset.describe();
    }

    @Override
    public void writePlots(Path runDirectory, List<EpochRecord> history) {
        Plots.lossCurves(runDirectory.resolve("loss.png"), "Sequence classifier (" + options.cell().id() + ")",
                "cross-entropy (train) / accuracy (validation)",
                history.stream().mapToDouble(EpochRecord::trainLoss).toArray(), series(history,
                        ClassifyTask.VAL_ACCURACY));
        if (testConfusion != null) {
            Plots.confusionHeatMap(runDirectory.resolve("confusion.png"), "Sequence classifier ("
                    + options.cell().id() + "), test recordings", testConfusion);
            Plots.confusionHeatMap(runDirectory.resolve("confusion-naive-bayes.png"), "Gaussian naive Bayes "
                    + "baseline, test recordings", baselineConfusion);
        }
    }
}
