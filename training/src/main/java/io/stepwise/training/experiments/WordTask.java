package io.stepwise.training.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.stepwise.training.data.WordLanguageDataset;
import io.stepwise.training.data.WordLanguageDataset.LengthBatch;
import io.stepwise.training.data.WordLanguageDataset.Split;
import io.stepwise.training.train.TaskContext;
import io.stepwise.training.train.TrainingTask;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Word → language classification for any network with one output vector per sequence (a recurrent network's
 * final state head, or a convolutional network's last-step head): batches of equal-length words from the default
 * word lists (so there is no padding), {@code stepsPerEpoch} of them per epoch, softmax cross-entropy; validation
 * accuracy ({@code val_accuracy}) on the validation words.
 */
final class WordTask implements TrainingTask<LengthBatch> {
    static final String VAL_ACCURACY = "val_accuracy";

    private final Block model;
    private final WordLanguageDataset dataset;
    private final int batchSize;
    private final int stepsPerEpoch;

    WordTask(Block model, WordLanguageDataset dataset, int batchSize, int stepsPerEpoch) {
        this.model = model;
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.stepsPerEpoch = stepsPerEpoch;
    }

    @Override
    public List<LengthBatch> trainBatches(int epoch, Random random) {
        List<LengthBatch> all = dataset.lengthBatches(Split.TRAIN, batchSize, random.nextLong());
        return List.copyOf(all.subList(0, Math.min(stepsPerEpoch, all.size())));
    }

    @Override
    public NDArray loss(TaskContext context, LengthBatch batch) {
        NDList xy = arrays(context.manager(), batch);
        NDArray logits = ExperimentTraining.output(model, context.parameterStore(), xy.get(0), true);
        return CharWindowTask.crossEntropy(logits, xy.get(1));
    }

    @Override
    public long sampleCount(LengthBatch batch) {
        return batch.size();
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(VAL_ACCURACY, accuracy(context.manager(), model, dataset, Split.VALIDATION));
    }

    static NDList arrays(NDManager m, LengthBatch batch) {
        long[] x = new long[batch.size() * batch.length()];
        long[] y = new long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            for (int t = 0; t < batch.length(); t++) {
                x[i * batch.length() + t] = batch.tokens()[i][t];
            }
            y[i] = batch.labels()[i];
        }
        return new NDList(m.create(x, new Shape(batch.size(), batch.length())), m.create(y, new Shape(batch.size())));
    }

    /** Share of correctly classified words of {@code split}. */
    static double accuracy(NDManager manager, Block model, WordLanguageDataset dataset, Split split) {
        long correct = 0;
        long total = 0;
        for (LengthBatch batch : dataset.lengthBatches(split, 1024, 0)) {
            try (NDManager m = manager.newSubManager()) {
                NDList xy = arrays(m, batch);
                NDArray logits = ExperimentTraining.output(model, new ParameterStore(m, false), xy.get(0), false);
                NDArray hit = logits.argMax(1).eq(xy.get(1)).toType(DataType.FLOAT32, false);
                correct += Math.round(hit.sum().getFloat());
                total += batch.size();
            }
        }
        return (double) correct / total;
    }
}
