package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One stream through a {@link RecurrentModel}, on the model's own ONNX Runtime session: the {@link Session}
 * contract (state carried, feed equals stepping, immutable snapshots, one thread at a time). Light; create one per
 * conversation or series with {@link RecurrentModel#newSession()}.
 *
 * <p><b>Not thread-safe.</b> A session is one sequence, so concurrent calls would interleave two sequences'
 * steps; they are detected and refused with {@link IllegalStateException}. Use one session per thread (any
 * number of sessions may run on one model at once).
 *
 * <p>The state never leaves native-ready memory between steps: it lives in two pairs of direct buffers wrapped
 * once as ONNX Runtime tensors; each run reads one pair as {@code h0}/{@code c0} and writes the other as
 * {@code hn}/{@code cn} (pre-bound outputs), then the roles swap. The input tensor is likewise wrapped once and
 * the token or features are written into it, so a {@link #step} allocates nothing on the Java side but the
 * returned array.
 *
 * <p>Output: for a per-step head, {@link #step} returns the head's values for that step and {@link #feed} one
 * row per step; for a final-state head (classifiers), the head's values for the state after the call (feed: one
 * row). Feeding N steps in one call equals stepping N times.
 *
 * <p><b>Bounds</b> ({@link RunLimits} of the model's {@link RuntimeOptions}): a {@link #feed} longer than
 * {@link RunLimits#maxStepsPerRun()} runs in chunks that carry the state on (same result, ONNX Runtime's memory
 * that of one chunk); a feed running past {@link RunLimits#callTimeout()}, or any call when {@link #cancel()} is
 * called, is stopped inside ONNX Runtime with {@link RunCancelledException}; an output or state holding NaN or
 * infinity fails with {@link NonFiniteOutputException}. Each of these failures leaves the session's state and
 * position as they were before the call. The position never wraps: a call that would carry it past
 * {@link SessionState#MAX_POSITION} is refused.
 *
 * <p><b>Leaks.</b> A session that is dropped without {@link #close()} does not keep its native tensors alive: the
 * model holds them apart from the session ({@code SessionTensors}), and a {@link Cleaner} releases them once the
 * session is unreachable. Closing explicitly is still the way to free them at a known time.
 *
 * <p>Bidirectional models cannot be stepped; {@link RecurrentModel#newSession()} refuses them.
 */
public final class StepSession implements Session {
    private final RecurrentModel model;
    private final ModelInfo info;
    private final RunLimits limits;
    private final int stateSize;
    private final int outputSize;
    private final int vocabulary;
    private final SessionTensors t;
    private final Cleaner.Cleanable cleanable;
    /** Index (0/1) of the buffer pair that holds the current state. */
    private int current;

    private long position;
    private final AtomicReference<Thread> user = new AtomicReference<>();
    private volatile boolean closed;

    StepSession(RecurrentModel model, SessionTensors tensors) {
        this.model = model;
        this.info = model.info();
        this.limits = model.options().runLimits();
        this.stateSize = info.stateRows() * info.hiddenSize();
        this.outputSize = info.outputSize();
        this.vocabulary = info.isTokenInput() ? info.inputSize() : 0;
        this.t = tensors;
        this.cleanable = SessionTensors.CLEANER.register(this, new SessionTensors.Reclaim(model, tensors));
    }

    /** The model this session runs on. */
    public RecurrentModel model() {
        return model;
    }

    /** The model's description (same as {@code model().info()}). */
    @Override
    public ModelInfo info() {
        return info;
    }

    /** Steps consumed since creation or the last {@link #reset()} (or as restored by {@link #restore}). */
    @Override
    public long position() {
        return position;
    }

    /** Whether the session, or its model, was closed. */
    @Override
    public boolean isClosed() {
        return closed || t.releasedByModel();
    }

    /**
     * Stops the call this session is running, from any thread: ONNX Runtime ends the run at its next node
     * boundary (within one chunk of {@link RunLimits#maxStepsPerRun()} steps), and the call fails with
     * {@link RunCancelledException} ({@link RunCancelledException.Reason#CANCELLED}), leaving the state as it was
     * before the call. Does nothing when no call is running, or after close.
     */
    public void cancel() {
        t.control.terminate(RunCancelledException.Reason.CANCELLED);
    }

    // ---------------------------------------------------------------- stepping

    /**
     * Feeds one token.
     *
     * @return the head's output for this step (per-step head) or for the state after it (final-state head),
     *         a fresh array of {@link ModelInfo#outputSize()} values
     * @throws IllegalArgumentException   when {@code token} is outside [0, vocabulary size)
     * @throws UnsupportedOperationException when the model reads features
     * @throws NonFiniteOutputException   when the output or new state is not finite (the session is unchanged)
     * @throws RunCancelledException      when {@link #cancel()} stopped it
     */
    @Override
    public float[] step(int token) {
        enter();
        try {
            InputChecks.requireInput(info, true);
            InputChecks.checkToken(token, vocabulary, false, "token");
            checkRoom(1);
            if (t.tokenLong != null) {
                t.tokenLong.put(0, token);
            } else {
                t.tokenInt.put(0, token);
            }
            return runStep();
        } finally {
            exit();
        }
    }

    /**
     * Feeds one step of features (already scaled as the model expects).
     *
     * @return as {@link #step(int)}
     * @throws IllegalArgumentException when {@code features} is null, not F long, or holds NaN or infinity
     * @throws UnsupportedOperationException when the model reads tokens
     * @throws NonFiniteOutputException as {@link #step(int)}
     */
    @Override
    public float[] step(float[] features) {
        enter();
        try {
            InputChecks.requireInput(info, false);
            InputChecks.checkFeatures(features, info.inputSize(), "features");
            checkRoom(1);
            t.featureBuffer.put(0, features);
            return runStep();
        } finally {
            exit();
        }
    }

    private float[] runStep() {
        ScheduledFuture<?> none = t.control.begin(Duration.ZERO);
        try (OrtSession.Result ignored = model.ortSession().run(t.stepFeeds[current], Set.of(), t.stepPinned[current],
                t.control.options())) {
            // the new state is in the other buffer pair until current flips
        } catch (OrtException e) {
            t.control.checkStopped(model.source(), Duration.ZERO, e);
            throw runFailure(e);
        } finally {
            t.control.end(none);
        }
        float[] out = new float[outputSize];
        t.stepOutputBuffer.get(0, out);
        if (limits.rejectNonFinite()) {
            requireFinite(out, position, "output");
            requireFiniteState(1 - current, position);
        }
        current = 1 - current;
        position++;
        return out;
    }

    /**
     * Feeds several tokens; equal to calling {@link #step(int)} for each. Input longer than
     * {@link RunLimits#maxStepsPerRun()} runs as consecutive chunks.
     *
     * @return per-step head: one row per token; final-state head: one row, for the state after the last token;
     *         no rows (and no change) for an empty array
     * @throws IllegalArgumentException naming the first id outside [0, vocabulary size) and its index; the
     *                                  session is unchanged
     * @throws RunCancelledException    when the call timeout passed or {@link #cancel()} was called; the session
     *                                  is unchanged
     * @throws NonFiniteOutputException when an output or state is not finite; the session is unchanged
     */
    @Override
    public float[][] feed(int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        enter();
        try {
            InputChecks.requireInput(info, true);
            if (tokens.length == 0) {
                return new float[0][];
            }
            for (int i = 0; i < tokens.length; i++) {
                if (tokens[i] < 0 || (vocabulary > 0 && tokens[i] >= vocabulary)) {
                    // The argument's name is built only for the message: a million-token feed checks fast.
                    InputChecks.checkToken(tokens[i], vocabulary, false, "tokens[" + i + "]");
                }
            }
            checkRoom(tokens.length);
            boolean ints = model.tokenType() == OnnxJavaType.INT32;
            return runChunks(tokens.length, (from, to) -> {
                int n = to - from;
                long[] shape = model.batchFirst() ? new long[] {1, n} : new long[] {n, 1};
                if (ints) {
                    return model.createInput(IntBuffer.wrap(java.util.Arrays.copyOfRange(tokens, from, to)), shape);
                }
                long[] ids = new long[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = tokens[from + i];
                }
                return model.createInput(LongBuffer.wrap(ids), shape);
            });
        } finally {
            exit();
        }
    }

    /**
     * Feeds several steps of features; equal to calling {@link #step(float[])} for each. Input longer than
     * {@link RunLimits#maxStepsPerRun()} runs as consecutive chunks.
     *
     * @param steps [sequence][F] values
     * @return as {@link #feed(int[])}
     * @throws RunCancelledException    as {@link #feed(int[])}
     * @throws NonFiniteOutputException as {@link #feed(int[])}
     */
    @Override
    public float[][] feed(float[][] steps) {
        Objects.requireNonNull(steps, "steps");
        enter();
        try {
            InputChecks.requireInput(info, false);
            if (steps.length == 0) {
                return new float[0][];
            }
            int f = info.inputSize();
            for (int i = 0; i < steps.length; i++) {
                if (!InputChecks.featuresOk(steps[i], f)) {
                    InputChecks.checkFeatures(steps[i], f, "steps[" + i + "]");
                }
            }
            checkRoom(steps.length);
            return runChunks(steps.length, (from, to) -> {
                int n = to - from;
                float[] flat = new float[n * f];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(steps[from + i], 0, flat, i * f, f);
                }
                long[] shape = model.batchFirst() ? new long[] {1, n, f} : new long[] {n, 1, f};
                return model.createInput(FloatBuffer.wrap(flat), shape);
            });
        } finally {
            exit();
        }
    }

    @FunctionalInterface
    private interface ChunkInput {
        OnnxTensor create(int from, int to) throws OrtException;
    }

    /**
     * Runs {@code length} steps in chunks of at most {@link RunLimits#maxStepsPerRun()}, each carrying the state
     * of the one before, under one call timeout. On any failure the state and position go back to those before
     * the call.
     */
    private float[][] runChunks(int length, ChunkInput input) {
        int chunk = limits.maxStepsPerRun();
        int startIndex = current;
        long startPosition = position;
        float[] savedH = null;
        float[] savedC = null;
        if (length > chunk) {
            // Later chunks overwrite both buffer pairs; keep the starting state to restore it on failure.
            savedH = new float[stateSize];
            t.hidden[current].get(0, savedH);
            if (info.hasCellState()) {
                savedC = new float[stateSize];
                t.cell[current].get(0, savedC);
            }
        }
        Duration timeout = limits.callTimeout();
        ScheduledFuture<?> timer = t.control.begin(timeout);
        boolean done = false;
        try {
            float[][] rows = new float[info.isPerStep() ? length : 1][];
            for (int from = 0; from < length; from += chunk) {
                int to = (int) Math.min(length, (long) from + chunk);
                t.control.checkStopped(model.source(), timeout, null);
                runChunk(input, from, to, rows);
            }
            done = true;
            return rows;
        } finally {
            t.control.end(timer);
            if (!done) {
                current = startIndex;
                position = startPosition;
                if (savedH != null) {
                    t.hidden[current].put(0, savedH);
                    if (savedC != null) {
                        t.cell[current].put(0, savedC);
                    }
                }
            }
        }
    }

    private void runChunk(ChunkInput input, int from, int to, float[][] rows) {
        try (OnnxTensor in = input.create(from, to);
             OnnxTensor lengths = t.stepLengths == null ? null : model.sequenceLengths(1, to - from)) {
            Map<String, OnnxTensor> feeds = new HashMap<>(t.stepFeeds[current]);
            feeds.put(info.inputName(), in);
            if (lengths != null) {
                feeds.put(ModelFormat.SEQUENCE_LENGTHS_INPUT, lengths);
            }
            if (info.isPerStep()) {
                try (OrtSession.Result r = model.ortSession().run(feeds, Set.of(info.outputName()),
                        t.statePinned[current], t.control.options())) {
                    FloatBuffer out = ((OnnxTensor) r.get(info.outputName()).orElseThrow()).getFloatBuffer();
                    for (int i = from; i < to; i++) {
                        float[] row = new float[outputSize];
                        out.get(row);
                        if (limits.rejectNonFinite()) {
                            requireFinite(row, position + i - from, "output");
                        }
                        rows[i] = row;
                    }
                }
            } else {
                try (OrtSession.Result ignored = model.ortSession().run(feeds, Set.of(), t.stepPinned[current],
                        t.control.options())) {
                    float[] row = new float[outputSize];
                    t.stepOutputBuffer.get(0, row);
                    if (limits.rejectNonFinite()) {
                        requireFinite(row, position + to - from - 1, "output");
                    }
                    rows[0] = row;
                }
            }
            if (limits.rejectNonFinite()) {
                requireFiniteState(1 - current, position + to - from - 1);
            }
            current = 1 - current;
            position += to - from;
        } catch (OrtException e) {
            t.control.checkStopped(model.source(), limits.callTimeout(), e);
            throw runFailure(e);
        }
    }

    private void requireFinite(float[] values, long at, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new NonFiniteOutputException(model.source() + ": the step at position " + at + " produced "
                        + values[i] + " in its " + what + " (index " + i + "); the model's weights overflow on this"
                        + " input or are corrupt. The session is unchanged (RunLimits.rejectNonFinite)", at);
            }
        }
    }

    private void requireFiniteState(int index, long at) {
        for (int i = 0; i < stateSize; i++) {
            if (!Float.isFinite(t.hidden[index].get(i))
                    || (info.hasCellState() && !Float.isFinite(t.cell[index].get(i)))) {
                throw new NonFiniteOutputException(model.source() + ": the step at position " + at + " produced a"
                        + " state that is not finite (index " + i + "); the model's weights overflow on this input or"
                        + " are corrupt. The session is unchanged (RunLimits.rejectNonFinite)", at);
            }
        }
    }

    /** Refuses a call that would carry the position past {@link SessionState#MAX_POSITION}. */
    private void checkRoom(int steps) {
        if (position > SessionState.MAX_POSITION - steps) {
            throw new IllegalStateException("StepSession: position " + position + " + " + steps + " steps would pass"
                    + " the largest position 2^53 (SessionState.MAX_POSITION); reset() the session or restore an"
                    + " earlier state");
        }
    }

    private StepwiseException runFailure(OrtException e) {
        return new StepwiseException(model.source() + ": ONNX Runtime failed to run a step: " + e.getMessage(), e);
    }

    // ---------------------------------------------------------------- state

    /** Back to a zero state at position 0. */
    @Override
    public void reset() {
        enter();
        try {
            fill(t.hidden[current], null);
            if (info.hasCellState()) {
                fill(t.cell[current], null);
            }
            position = 0;
        } finally {
            exit();
        }
    }

    /** An immutable copy of the current state and position. */
    @Override
    public SessionState snapshot() {
        enter();
        try {
            float[] h = new float[stateSize];
            t.hidden[current].get(0, h);
            float[] c = null;
            if (info.hasCellState()) {
                c = new float[stateSize];
                t.cell[current].get(0, c);
            }
            return new SessionState(info.fingerprint(), info.architectureFingerprint(), position, info.stateRows(),
                    info.hiddenSize(), h, c);
        } finally {
            exit();
        }
    }

    /**
     * Replaces the current state and position with {@code state}'s.
     *
     * @throws IllegalArgumentException when the state belongs to another model (the message names both
     *                                  fingerprints; see {@link SessionState#adoptedBy} for a state of a model
     *                                  with the same architecture), its shape does not fit, or its values or
     *                                  position are impossible for this model ({@code StateChecks})
     */
    @Override
    public void restore(SessionState state) {
        Objects.requireNonNull(state, "state");
        enter();
        try {
            state.checkFits(info);
            fill(t.hidden[current], state.hiddenArray());
            if (info.hasCellState()) {
                fill(t.cell[current], state.cellArray());
            }
            position = state.position();
        } finally {
            exit();
        }
    }

    private void fill(FloatBuffer buffer, float[] values) {
        if (values == null) {
            for (int i = 0; i < stateSize; i++) {
                buffer.put(i, 0f);
            }
        } else {
            buffer.put(0, values);
        }
    }

    // ---------------------------------------------------------------- guard and lifecycle

    /**
     * Claims the session for the calling thread and holds the model's read lock, so that the model cannot be
     * closed under a run.
     */
    private void enter() {
        Thread me = Thread.currentThread();
        if (!user.compareAndSet(null, me)) {
            Thread other = user.get();
            throw new IllegalStateException("StepSession is not thread-safe: thread '" + me.getName()
                    + "' called it while thread '" + (other == null ? "?" : other.getName()) + "' was using it;"
                    + " give each thread its own session (model.newSession())");
        }
        model.readLock().lock();
        if (isClosed()) {
            model.readLock().unlock();
            user.set(null);
            checkClosed();
        }
    }

    private void exit() {
        model.readLock().unlock();
        user.set(null);
        // The session must stay reachable until its run is over, or the cleaner could free tensors in use.
        Reference.reachabilityFence(this);
    }

    private void checkClosed() {
        if (isClosed()) {
            throw new IllegalStateException(t.releasedByModel()
                    ? "StepSession: its model (" + model.source() + ") was closed"
                    : "StepSession is closed");
        }
    }

    /** Releases the session's native tensors. Idempotent; refused while another thread is using the session. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        Thread me = Thread.currentThread();
        if (!user.compareAndSet(null, me)) {
            throw new IllegalStateException("StepSession.close(): thread '" + me.getName() + "' tried to close the"
                    + " session while thread '" + user.get() + "' was using it");
        }
        model.readLock().lock();
        try {
            if (!closed) {
                closed = true;
                cleanable.clean();
            }
        } finally {
            model.readLock().unlock();
            user.set(null);
        }
    }

    @Override
    public String toString() {
        return "StepSession[position " + position + (isClosed() ? ", closed" : "") + "]";
    }
}
