package io.stepwise.training.tasks.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.training.model.RecurrentNet;
import io.stepwise.training.tasks.ModelEvaluation;
import io.stepwise.training.tasks.evaluation.BaselineVerdict;
import io.stepwise.training.train.EpochRecord;
import io.stepwise.training.train.TrainingTask;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the three Stepwise tasks share beyond {@link TrainingTask}: the network they need, the metric that drives
 * early stopping, the final evaluation against a baseline, the task-level metadata of the exported model and the
 * run's plots. {@link ModelTraining} drives them.
 *
 * @param <B> one training batch
 */
public abstract class RecurrentTask<B> implements TrainingTask<B> {
    /** Softmax cross-entropy on logits with integer class labels along the last axis, batch mean. */
    protected static final Loss CROSS_ENTROPY = Loss.softmaxCrossEntropyLoss("cross_entropy", 1f, -1, true, true);

    private RecurrentNet net;

    /** The network this task trains; {@link #bind} must receive one built from exactly this spec. */
    public abstract NetworkSpec spec();

    /** Validation metric that drives early stopping and the choice of the best epoch. */
    public abstract String monitor();

    /** Whether a larger {@link #monitor()} value is better. */
    public abstract boolean higherIsBetter();

    /**
     * Measures the trained network on held-out data the way {@link ModelEvaluation} measures the exported file,
     * next to the task's baseline. Keys are the names recorded in {@code stepwise.metrics}; the one named by
     * {@link ModelEvaluation#primaryMetric} must be among them.
     */
    public abstract Map<String, Double> finalMetrics(NDManager manager);

    /**
     * The verdict on the model against the task's baseline from the {@link #finalMetrics} it measured; stored in
     * the model ({@code stepwise.baseline}) and printed. The default reads the primary metric and baseline of the
     * three built-in tasks ({@link BaselineVerdict#fromMetrics}); a task with other metric names overrides it.
     */
    public Optional<BaselineVerdict> verdict(Map<String, Double> metrics) {
        return BaselineVerdict.fromMetrics(metrics);
    }

    /** Task-level metadata: vocabulary, labels, scaling, forecast settings and the evaluation protocol. */
    public abstract void describeModel(ModelMetadata.Builder metadata);

    /** Data provenance for {@code stepwise.training}. */
    public abstract Map<String, Object> describeData();

    /** Writes the task's plots (PNG) into the run folder; {@code history} is every epoch trained. */
    public abstract void writePlots(Path runDirectory, List<EpochRecord> history);

    /** Gives the task the network it trains; called once before training. */
    public void bind(RecurrentNet net) {
        Objects.requireNonNull(net, "net");
        if (!net.spec().equals(spec())) {
            throw new IllegalArgumentException("net: built for " + net.spec() + " but the task needs " + spec());
        }
        this.net = net;
    }

    /** The bound network. */
    protected RecurrentNet net() {
        if (net == null) {
            throw new IllegalStateException("task: no network bound; call bind(net) first");
        }
        return net;
    }

    /** Runs the bound network on {@code inputs} (input, then optional states). */
    protected NDList forward(ParameterStore store, NDList inputs, boolean training) {
        return net().forward(store, inputs, training);
    }

    /**
     * Mean cross-entropy with label smoothing ε: (1 − ε) · cross-entropy + ε · mean over the C labels of −log p,
     * i.e. the cross-entropy against a target of 1 − ε + ε/C on the label and ε/C elsewhere. With ε = 0 it is
     * {@link #crossEntropy(NDArray, NDArray)}. Smoothing keeps a classifier from driving its logits apart without
     * bound on training words it has already learned.
     */
    protected static NDArray crossEntropy(NDArray logits, NDArray labels, float smoothing) {
        NDArray plain = crossEntropy(logits, labels);
        if (smoothing == 0f) {
            return plain;
        }
        long classes = logits.getShape().get(logits.getShape().dimension() - 1);
        NDArray uniform = logits.reshape(-1, classes).logSoftmax(1).mean().neg();
        return plain.mul(1f - smoothing).add(uniform.mul(smoothing));
    }

    /** Mean cross-entropy (nats) of {@code logits} [..., C] against {@code labels} [...] (flattened). */
    protected static NDArray crossEntropy(NDArray logits, NDArray labels) {
        long classes = logits.getShape().get(logits.getShape().dimension() - 1);
        return CROSS_ENTROPY.evaluate(new NDList(labels.reshape(-1)), new NDList(logits.reshape(-1, classes)));
    }

    /** The per-epoch values of a validation metric (NaN where absent). */
    protected static double[] series(List<EpochRecord> history, String metric) {
        return history.stream().mapToDouble(r -> r.metric(metric)).toArray();
    }
}
