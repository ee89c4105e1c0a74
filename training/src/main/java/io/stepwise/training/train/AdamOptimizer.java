package io.stepwise.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (AdamW when weight decay is set) whose moments this class owns, so that a checkpoint
 * ({@link CheckpointFormat}) can save and restore them exactly — DJL's {@code ai.djl.training.optimizer.Adam} keeps
 * them private. The update itself is DJL's native one ({@code NDArrayEx.adamUpdate}, the kernel behind DJL's Adam
 * on PyTorch):
 * <pre>
 * g  = rescale · ∇w                       (rescale &lt; 1 clips the global gradient norm)
 * w ← w − lr · wd · w                     (decoupled weight decay)
 * m ← β1 m + (1 − β1) g        v ← β2 v + (1 − β2) g²
 * w ← w − lr · √(1 − β2^t) / (1 − β1^t) · m / (√v + ε)
 * </pre>
 */
final class AdamOptimizer implements AutoCloseable {
    private final List<Parameter> parameters = new ArrayList<>();
    private final NDManager manager;
    private final NDArray[] means;
    private final NDArray[] variances;
    private final TrainerConfig config;
    private int updates;
    private boolean closed;

    AdamOptimizer(PairList<String, Parameter> all, NDManager parent, TrainerConfig config) {
        this.config = config;
        for (Pair<String, Parameter> p : all) {
            if (p.getValue().requiresGradient()) {
                parameters.add(p.getValue());
            }
        }
        manager = parent.newSubManager();
        means = new NDArray[parameters.size()];
        variances = new NDArray[parameters.size()];
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            means[i] = manager.zeros(w.getShape(), w.getDataType());
            variances[i] = manager.zeros(w.getShape(), w.getDataType());
        }
    }

    /** Updates done so far (Adam's t). */
    int updates() {
        return updates;
    }

    /**
     * L2 norm of all gradients together. A gradient handle and everything computed from it belong to the
     * parameter's long-lived manager, so they are moved into a scratch manager that is closed before returning;
     * left there, the squares and their sums (a copy of every parameter per step, about 700 KB a batch for the
     * language-ID network) stayed alive until training ended.
     */
    double globalGradientNorm() {
        checkClosed();
        double sum = 0;
        try (NDManager scratch = manager.newSubManager()) {
            for (Parameter p : parameters) {
                NDArray g = p.getArray().getGradient();
                g.attach(scratch);
                sum += g.square().sum().toType(DataType.FLOAT64, false).getDouble();
            }
        }
        return Math.sqrt(sum);
    }

    /** One Adam step with learning rate {@code lr}, gradients multiplied by {@code rescale} first. */
    void update(float lr, float rescale) {
        checkClosed();
        updates++;
        double coef1 = 1.0 - Math.pow(config.beta1(), updates);
        double coef2 = 1.0 - Math.pow(config.beta2(), updates);
        float biasCorrected = (float) (lr * Math.sqrt(coef2) / coef1);
        for (int i = 0; i < parameters.size(); i++) {
            NDArray w = parameters.get(i).getArray();
            try (NDArray g = w.getGradient()) {
                w.getNDArrayInternal().adamUpdate(new NDList(w, g, means[i], variances[i]), new NDList(w), lr,
                        biasCorrected, config.weightDecay(), rescale, -1f, config.beta1(), config.beta2(),
                        config.epsilon(), true, true);
            }
        }
    }

    /** Zeroes every gradient; PyTorch accumulates them across backward passes. */
    void zeroGradients() {
        checkClosed();
        for (Parameter p : parameters) {
            try (NDArray g = p.getArray().getGradient()) {
                g.subi(g);
            }
        }
    }

    /** Parameters this optimizer updates (those that require a gradient), in the model's order. */
    int size() {
        return parameters.size();
    }

    /** Name of the {@code i}-th updated parameter. */
    String name(int i) {
        return parameters.get(i).getName();
    }

    /** Adam's first moment of the {@code i}-th parameter (owned by this optimizer; do not close). */
    NDArray mean(int i) {
        checkClosed();
        return means[i];
    }

    /** Adam's second moment of the {@code i}-th parameter (owned by this optimizer; do not close). */
    NDArray variance(int i) {
        checkClosed();
        return variances[i];
    }

    /**
     * Replaces the step count and the moments, e.g. with a checkpoint's; the arrays are taken over (attached to
     * this optimizer's manager). All are checked first, so a mismatch changes nothing.
     *
     * @throws IOException naming the first parameter whose moments do not fit
     */
    void restore(int savedUpdates, List<NDArray> savedMeans, List<NDArray> savedVariances) throws IOException {
        checkClosed();
        if (savedUpdates < 0) {
            throw new IOException("optimizer state: corrupt step count " + savedUpdates);
        }
        if (savedMeans.size() != parameters.size() || savedVariances.size() != parameters.size()) {
            throw new IOException("optimizer state: expected " + parameters.size() + " parameters but the checkpoint"
                    + " has " + savedMeans.size());
        }
        for (int i = 0; i < parameters.size(); i++) {
            if (!savedMeans.get(i).getShape().equals(means[i].getShape())
                    || !savedVariances.get(i).getShape().equals(variances[i].getShape())) {
                throw new IOException("optimizer state: " + name(i) + " has shape " + savedMeans.get(i).getShape()
                        + " in the checkpoint but " + means[i].getShape() + " in the model");
            }
        }
        for (int i = 0; i < parameters.size(); i++) {
            means[i].close();
            variances[i].close();
            means[i] = savedMeans.get(i);
            variances[i] = savedVariances.get(i);
            means[i].attach(manager);
            variances[i].attach(manager);
        }
        updates = savedUpdates;
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("AdamOptimizer: already closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
