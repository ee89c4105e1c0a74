package io.stepwise.bench;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.RuntimeOptions;
import io.stepwise.runtime.StepSession;

/** {@link Stepper} over Stepwise's own runtime: one {@link RecurrentModel}, one {@link StepSession}. */
final class StepwiseStepper implements Stepper {
    private final RecurrentModel model;
    private final StepSession session;
    private boolean closed;

    StepwiseStepper(byte[] onnx, int intraOpThreads, boolean spinning) {
        model = RecurrentModel.fromBytes(onnx, RuntimeOptions.builder().optIntraOpThreads(intraOpThreads)
                .optSpinning(spinning).build());
        session = model.newSession();
    }

    @Override
    public float[] step(int token) {
        return session.step(token);
    }

    @Override
    public void reset() {
        session.reset();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            session.close();
            model.close();
        }
    }
}
