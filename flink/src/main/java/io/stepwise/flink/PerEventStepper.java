package io.stepwise.flink;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StepSession;

/** One ONNX Runtime call per event: one reusable {@link StepSession} restored to each key's state in turn. */
final class PerEventStepper implements Stepper {
    private final StepSession session;

    PerEventStepper(RecurrentModel model) {
        this.session = model.newSession();
    }

    @Override
    public SessionState initialState() {
        session.reset();
        return session.snapshot();
    }

    @Override
    public Stepped step(SessionState[] states, int[] tokens, int n) {
        float[][] outputs = new float[n][];
        SessionState[] next = new SessionState[n];
        for (int i = 0; i < n; i++) {
            session.restore(states[i]);
            outputs[i] = session.step(tokens[i]);
            next[i] = session.snapshot();
        }
        return new Stepped(outputs, next);
    }

    @Override
    public Stepped step(SessionState[] states, float[][] features, int n) {
        float[][] outputs = new float[n][];
        SessionState[] next = new SessionState[n];
        for (int i = 0; i < n; i++) {
            session.restore(states[i]);
            outputs[i] = session.step(features[i]);
            next[i] = session.snapshot();
        }
        return new Stepped(outputs, next);
    }

    @Override
    public void close() {
        session.close();
    }
}
