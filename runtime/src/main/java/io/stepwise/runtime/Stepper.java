package io.stepwise.runtime;

/**
 * The slice of a stateful session that the task helpers need. It exists so that the decoding, forecasting and
 * classification logic can be tested against hand-written fakes, and is adapted from a {@link StepSession}
 * in production.
 *
 * <p>A stepper carries the recurrent state: every {@code step}/{@code feed} continues where the previous call
 * ended. {@link #snapshot()} returns an immutable copy of that state which {@link #restore(Object)} puts back,
 * so one stepper can explore several continuations (beam search, look-ahead forecasts).
 */
interface Stepper extends AutoCloseable {

    /** Consumes one token and returns the per-step output after it. */
    default float[] step(int token) {
        throw new UnsupportedOperationException("this model reads features, not tokens");
    }

    /** Consumes one feature vector (already scaled) and returns the per-step output after it. */
    default float[] step(float[] features) {
        throw new UnsupportedOperationException("this model reads tokens, not features");
    }

    /** Consumes several tokens; returns one output row per token. */
    default float[][] feed(int[] tokens) {
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = step(tokens[i]);
        }
        return out;
    }

    /** Consumes several feature vectors; returns one output row per step. */
    default float[][] feed(float[][] steps) {
        float[][] out = new float[steps.length][];
        for (int i = 0; i < steps.length; i++) {
            out[i] = step(steps[i]);
        }
        return out;
    }

    /** An immutable copy of the carried state. */
    Object snapshot();

    /** Puts back a state taken by {@link #snapshot()} of this stepper. */
    void restore(Object state);

    @Override
    void close();

    /** Opens a fresh stepper (zero state) per use; each generate/forecast call gets its own. */
    @FunctionalInterface
    interface Factory {
        Stepper open();
    }

    /** Adapts a session of a real model. */
    static Stepper of(StepSession session) {
        return new Stepper() {
            @Override
            public float[] step(int token) {
                return session.step(token);
            }

            @Override
            public float[] step(float[] features) {
                return session.step(features);
            }

            @Override
            public float[][] feed(int[] tokens) {
                return session.feed(tokens);
            }

            @Override
            public float[][] feed(float[][] steps) {
                return session.feed(steps);
            }

            @Override
            public Object snapshot() {
                return session.snapshot();
            }

            @Override
            public void restore(Object state) {
                session.restore((SessionState) state);
            }

            @Override
            public void close() {
                session.close();
            }
        };
    }
}
