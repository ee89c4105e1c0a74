package io.stepwise.runtime;

/**
 * Hands out {@link Session}s of one model: a {@link RecurrentModel} (each session on the model's own ONNX Runtime
 * session), or a front that batches the steps of many sessions into one call. The task helpers
 * ({@code TextGenerator}, {@code Forecaster}) take a source, so they run unchanged on either.
 *
 * <p>Implementations are thread-safe: any thread may open sessions at any time, each then confined to one thread
 * at a time (see {@link Session}).
 */
public interface SessionSource {

    /** What the model is: architecture, task, vocabulary, metadata. */
    ModelInfo info();

    /**
     * A new session at a zero state, position 0. The caller closes it.
     *
     * @throws UnsupportedOperationException when the model cannot be stepped (bidirectional layers read whole
     *                                       sequences; run them with {@link RecurrentModel#forward})
     * @throws IllegalStateException         when the source is closed
     */
    Session newSession();

    /**
     * The bounds the task helpers apply to calls on this source's sessions — beam width, generation length,
     * horizon ({@link RunLimits}). A {@link RecurrentModel} returns those of its {@link RuntimeOptions}; the
     * default is {@link RunLimits#defaults()}.
     */
    default RunLimits runLimits() {
        return RunLimits.defaults();
    }
}
