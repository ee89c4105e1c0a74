package io.stepwise.runtime;

/**
 * One stateful sequence through a recurrent model: a conversation, a series, an event stream. The contract that
 * every way of running a model step by step fulfils — a {@link StepSession} on its own ONNX Runtime session, or a
 * front that batches many sessions into one call — so the task helpers ({@code TextGenerator},
 * {@code Forecaster}, {@code ForecastStream}) run on any of them. Get one from a {@link SessionSource}.
 *
 * <p><b>State.</b> A session carries the model's recurrent state (h, and c for an LSTM) after every input
 * consumed since it was opened or last {@link #reset()}: each {@link #step} and {@link #feed} continues where the
 * previous call ended. {@link #position()} counts the steps consumed.
 *
 * <p><b>Feeding equals stepping.</b> {@code feed(x₁…xₙ)} leaves the same state and position as {@code step(x₁)}
 * … {@code step(xₙ)}; for a per-step head it returns the same n rows, for a final-state head one row, the output
 * for the state after xₙ. Implementations may compute it in one call (a prefill); the numbers agree to within
 * floating-point reordering (1e-5 in the tests).
 *
 * <p><b>Snapshots.</b> {@link #snapshot()} returns an immutable {@link SessionState}: later steps do not change it,
 * and it may be restored any number of times, into this session or another session of a model with the same
 * {@link ModelInfo#fingerprint()} (including one in another process, through {@link SessionState#toBytes()}).
 * {@link #restore} refuses, with {@link IllegalArgumentException}, a state whose fingerprint or shape belongs to
 * another model.
 *
 * <p><b>Threads.</b> A session is confined to one thread at a time: it is one sequence, and concurrent calls would
 * interleave two sequences' steps. Calls from several threads must be ordered by the caller (happens-before), e.g.
 * one session per request or per key. Implementations detect concurrent use where they can and refuse it with
 * {@link IllegalStateException}. Any number of sessions may run at once on one source.
 *
 * <p><b>Lifecycle.</b> A session holds native resources until {@link #close()}, which is idempotent. After close,
 * every method except {@link #info()}, {@link #isClosed()} and {@link #close()} throws
 * {@link IllegalStateException}; closing the model behind a session closes the session too.
 *
 * <p><b>Errors.</b> Bad input — a token outside [0, vocabulary size), a feature vector that is not
 * {@code info().inputSize()} long or holds NaN or infinity — throws {@link IllegalArgumentException} naming the
 * argument and leaves the session unchanged; the wrong kind of input (tokens to a feature model or the reverse)
 * throws {@link UnsupportedOperationException}; a failure of the engine throws {@link StepwiseException}.
 */
public interface Session extends AutoCloseable {

    /** The model's description (vocabulary, sizes, task), as {@link SessionSource#info()}. */
    ModelInfo info();

    /** Steps consumed since opening or the last {@link #reset()}, or as restored by {@link #restore}; ≥ 0. */
    long position();

    /**
     * Consumes one token.
     *
     * @param token an id in [0, vocabulary size)
     * @return the head's output for this step (per-step head) or for the state after it (final-state head): a
     *         fresh array of {@link ModelInfo#outputSize()} values
     * @throws IllegalArgumentException      when {@code token} is outside [0, vocabulary size)
     * @throws UnsupportedOperationException when the model reads features
     */
    float[] step(int token);

    /**
     * Consumes one step of features, already scaled as the model expects.
     *
     * @param features {@link ModelInfo#inputSize()} finite values
     * @return as {@link #step(int)}
     * @throws IllegalArgumentException      when {@code features} is null, of another length, or not finite
     * @throws UnsupportedOperationException when the model reads tokens
     */
    float[] step(float[] features);

    /**
     * Consumes several tokens; equal to {@link #step(int)} for each.
     *
     * @return per-step head: one row per token; final-state head: one row, for the state after the last token; no
     *         rows (and no change) for an empty array
     * @throws IllegalArgumentException naming the first id outside [0, vocabulary size) and its index; the session
     *                                  is unchanged
     */
    float[][] feed(int[] tokens);

    /**
     * Consumes several steps of features; equal to {@link #step(float[])} for each.
     *
     * @param steps [sequence][{@link ModelInfo#inputSize()}] finite values
     * @return as {@link #feed(int[])}
     * @throws IllegalArgumentException naming the first bad step; the session is unchanged
     */
    float[][] feed(float[][] steps);

    /** Back to the zero state at position 0, as a new session. */
    void reset();

    /** An immutable copy of the current state and position. */
    SessionState snapshot();

    /**
     * Replaces the current state and position with {@code state}'s.
     *
     * @throws IllegalArgumentException when the state belongs to a model of another architecture (its fingerprint
     *                                  differs; the message names both) or its shape does not fit
     */
    void restore(SessionState state);

    /** Whether {@link #close()} was called (or the model behind the session was closed). */
    boolean isClosed();

    /** Releases the session's resources. Idempotent. */
    @Override
    void close();
}
