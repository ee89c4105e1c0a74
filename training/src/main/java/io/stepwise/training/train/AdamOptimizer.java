package io.stepwise.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (AdamW when weight decay is set) whose moments this class owns, so that a checkpoint can save and restore
 * them exactly — DJL's {@code ai.djl.training.optimizer.Adam} keeps them private. The update itself is DJL's
 * native one ({@code NDArrayEx.adamUpdate}, the kernel behind DJL's Adam on PyTorch):
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

    /** L2 norm of all gradients together. */
    double globalGradientNorm() {
        checkClosed();
        double sum = 0;
        for (Parameter p : parameters) {
            try (NDArray g = p.getArray().getGradient(); NDArray sq = g.square().sum()) {
                sum += sq.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
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

    void save(DataOutputStream out) throws IOException {
        checkClosed();
        out.writeInt(updates);
        out.writeInt(parameters.size());
        for (int i = 0; i < parameters.size(); i++) {
            out.writeUTF(parameters.get(i).getName());
            writeArray(out, means[i]);
            writeArray(out, variances[i]);
        }
    }

    void load(DataInputStream in) throws IOException {
        checkClosed();
        int savedUpdates = in.readInt();
        int count = in.readInt();
        if (count != parameters.size()) {
            throw new IOException("optimizer state: expected " + parameters.size() + " parameters but the checkpoint"
                    + " has " + count);
        }
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            if (!name.equals(parameters.get(i).getName())) {
                throw new IOException("optimizer state: expected parameter " + parameters.get(i).getName()
                        + " at position " + i + " but the checkpoint has " + name);
            }
            NDArray mean = readArray(in);
            NDArray variance = readArray(in);
            if (!mean.getShape().equals(means[i].getShape()) || !variance.getShape().equals(variances[i].getShape())) {
                throw new IOException("optimizer state: " + name + " has shape " + mean.getShape()
                        + " in the checkpoint but " + means[i].getShape() + " in the model");
            }
            means[i].close();
            variances[i].close();
            means[i] = mean;
            variances[i] = variance;
        }
        updates = savedUpdates;
    }

    private static void writeArray(DataOutputStream out, NDArray array) throws IOException {
        byte[] bytes = array.encode();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private NDArray readArray(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > (1 << 30)) {
            throw new IOException("optimizer state: corrupt array length " + length);
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("optimizer state: truncated");
        }
        return NDArray.decode(manager, bytes);
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
