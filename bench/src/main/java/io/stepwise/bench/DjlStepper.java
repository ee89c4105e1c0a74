package io.stepwise.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.training.model.DjlRuntime;
import io.stepwise.training.model.RecurrentNet;
import java.util.List;

/**
 * The same network as a DJL {@link RecurrentNet} on the PyTorch engine, stepped as a DJL user would drive the
 * block directly: per step a sub-manager holds the {@code [1, 1]} token array and everything the forward pass
 * creates; the output is copied to Java, the returned {@code hn}/{@code cn} become the next step's state, and the
 * previous step's manager is closed.
 */
final class DjlStepper implements Stepper {
    private final NDManager root;
    private final RecurrentNet net;
    private final ParameterStore store;
    private NDManager previous;
    private NDList state;
    private boolean closed;

    DjlStepper(NetworkSpec spec, NetworkWeights weights, int intraOpThreads) {
        // PyTorch reads its thread counts once, when the engine starts; a JMH fork starts it here.
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intraOpThreads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        DjlRuntime.configure();
        root = NDManager.newBaseManager();
        net = RecurrentNet.builder().setSpec(spec).build();
        net.initialize(root);
        load(net, spec, weights);
        store = new ParameterStore(root, false);
    }

    /** Copies {@code weights} (PyTorch layout, as {@link RecurrentNet} stores them) into the block's parameters. */
    static void load(RecurrentNet net, NetworkSpec spec, NetworkWeights weights) {
        net.embeddingParameter().getArray().set(weights.embedding());
        for (int l = 0; l < spec.layers(); l++) {
            LayerWeights w = weights.layer(l, 0);
            List<Parameter> p = net.recurrentParameters(l, 0);
            p.get(0).getArray().set(w.inputWeights());
            p.get(1).getArray().set(w.recurrentWeights());
            p.get(2).getArray().set(w.inputBias());
            p.get(3).getArray().set(w.recurrentBias());
        }
        net.headWeightParameter().getArray().set(weights.headWeight());
        net.headBiasParameter().getArray().set(weights.headBias());
    }

    RecurrentNet net() {
        return net;
    }

    @Override
    public float[] step(int token) {
        NDManager current = root.newSubManager();
        NDArray x = current.create(new long[][] {{token}});
        NDList inputs = new NDList(x);
        if (state != null) {
            inputs.addAll(state);
        }
        NDList out = net.forward(store, inputs, false);
        out.attach(current);
        float[] logits = out.get(0).toFloatArray();
        state = out.subNDList(1);
        if (previous != null) {
            previous.close();
        }
        previous = current;
        return logits;
    }

    @Override
    public void reset() {
        state = null;
        if (previous != null) {
            previous.close();
            previous = null;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            reset();
            root.close();
        }
    }
}
