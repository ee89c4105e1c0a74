package io.stepwise.flink;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.SteppedStates;

import java.util.Arrays;

/**
 * Every sequence of a bundle round in one ONNX Runtime call, through the runtime's stateless kernel
 * ({@link RecurrentModel#stepAll}), which gathers the states, runs once and scatters the new states back.
 */
final class BundledStepper implements Stepper {
    private final RecurrentModel model;

    BundledStepper(RecurrentModel model) {
        this.model = model;
    }

    @Override
    public SessionState initialState() {
        return model.initialState();
    }

    @Override
    public Stepped step(SessionState[] states, int[] tokens, int n) {
        return unpack(model.stepAll(prefix(states, n), n == tokens.length ? tokens : Arrays.copyOf(tokens, n)));
    }

    @Override
    public Stepped step(SessionState[] states, float[][] features, int n) {
        return unpack(model.stepAll(prefix(states, n), n == features.length ? features : Arrays.copyOf(features, n)));
    }

    private static SessionState[] prefix(SessionState[] states, int n) {
        return n == states.length ? states : Arrays.copyOf(states, n);
    }

    private static Stepped unpack(SteppedStates result) {
        int n = result.size();
        float[][] outputs = new float[n][];
        SessionState[] next = new SessionState[n];
        for (int i = 0; i < n; i++) {
            outputs[i] = result.output(i);
            next[i] = result.state(i);
        }
        return new Stepped(outputs, next);
    }

    @Override
    public void close() {
        // The model belongs to the operator, which closes it.
    }
}
