package io.stepwise.training.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.stepwise.training.train.TaskContext;
import io.stepwise.training.train.TrainingTask;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The adding problem as a {@link TrainingTask}: every batch is freshly drawn (a batch is just the seed of its
 * generator, so an epoch's batches depend only on the epoch's random stream), the loss is the mean squared error
 * of the network's one output, and validation is the MSE on a fixed held-out set ({@code val_mse}).
 */
final class AddingTask implements TrainingTask<Long> {
    static final String VAL_MSE = "val_mse";

    private final Block model;
    private final int length;
    private final int batchSize;
    private final int stepsPerEpoch;
    private final AddingProblem validation;

    AddingTask(Block model, int length, int batchSize, int stepsPerEpoch, AddingProblem validation) {
        this.model = model;
        this.length = length;
        this.batchSize = batchSize;
        this.stepsPerEpoch = stepsPerEpoch;
        this.validation = validation;
    }

    @Override
    public List<Long> trainBatches(int epoch, Random random) {
        List<Long> seeds = new ArrayList<>(stepsPerEpoch);
        for (int i = 0; i < stepsPerEpoch; i++) {
            seeds.add(random.nextLong());
        }
        return seeds;
    }

    @Override
    public NDArray loss(TaskContext context, Long batch) {
        AddingProblem data = AddingProblem.generate(batchSize, length, new Random(batch));
        return mse(context.manager(), context.parameterStore(), data, 0, batchSize, true);
    }

    @Override
    public long sampleCount(Long batch) {
        return (long) batchSize * length;
    }

    @Override
    public Map<String, Double> validate(TaskContext context) {
        return Map.of(VAL_MSE, evaluate(context.manager(), model, validation));
    }

    /** Mean squared error of {@code model} over all of {@code data}, in chunks. */
    static double evaluate(NDManager manager, Block model, AddingProblem data) {
        double sum = 0;
        int chunk = 250;
        for (int from = 0; from < data.count(); from += chunk) {
            int to = Math.min(data.count(), from + chunk);
            try (NDManager m = manager.newSubManager()) {
                NDArray loss = mse(m, model, new ParameterStore(m, false), data, from, to, false);
                sum += loss.toType(DataType.FLOAT64, false).getDouble() * (to - from);
            }
        }
        return sum / data.count();
    }

    private NDArray mse(NDManager manager, ParameterStore store, AddingProblem data, int from, int to,
                        boolean training) {
        return mse(manager, model, store, data, from, to, training);
    }

    private static NDArray mse(NDManager manager, Block model, ParameterStore store, AddingProblem data, int from,
                               int to, boolean training) {
        NDArray x = manager.create(data.inputs(from, to), new Shape(to - from, data.length(), 2));
        NDArray y = manager.create(data.targets(from, to), new Shape(to - from, 1));
        NDArray out = ExperimentTraining.output(model, store, x, training);
        return out.sub(y).square().mean();
    }
}
