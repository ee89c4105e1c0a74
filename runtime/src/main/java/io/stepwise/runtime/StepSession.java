package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p>Bidirectional models cannot be stepped; {@link RecurrentModel#newSession()} refuses them.
 */
public final class StepSession implements Session {
    private final RecurrentModel model;
    private final ModelInfo info;
    private final int stateSize;
    private final int outputSize;
    private final int vocabulary;
    private final long[] stateShape;

    private final FloatBuffer[] hidden = new FloatBuffer[2];
    private final FloatBuffer[] cell = new FloatBuffer[2];
    private final OnnxTensor[] hiddenTensor = new OnnxTensor[2];
    private final OnnxTensor[] cellTensor = new OnnxTensor[2];
    /** Index (0/1) of the buffer pair that holds the current state. */
    private int current;

    private final LongBuffer tokenLong;
    private final IntBuffer tokenInt;
    private final FloatBuffer featureBuffer;
    private final OnnxTensor stepInput;
    private final FloatBuffer stepOutputBuffer;
    private final OnnxTensor stepLengths;
    private final OnnxTensor stepOutput;
    /** Run arguments for each value of {@link #current}, built once. */
    private final Map<String, OnnxTensor>[] stepFeeds;
    private final Map<String, OnnxTensor>[] stepPinned;
    private final Map<String, OnnxTensor>[] statePinned;

    private long position;
    private final AtomicReference<Thread> user = new AtomicReference<>();
    private volatile boolean closed;
    private volatile boolean modelClosed;

    @SuppressWarnings("unchecked")
    StepSession(RecurrentModel model) {
        this.model = model;
        this.info = model.info();
        this.stateSize = info.stateRows() * info.hiddenSize();
        this.outputSize = info.outputSize();
        this.vocabulary = info.isTokenInput() ? info.inputSize() : 0;
        this.stateShape = new long[] {info.stateRows(), 1, info.hiddenSize()};
        boolean tokens = info.isTokenInput();
        boolean ints = model.tokenType() == OnnxJavaType.INT32;
        var env = model.environment();
        try {
            for (int i = 0; i < 2; i++) {
                hidden[i] = floats(stateSize);
                hiddenTensor[i] = OnnxTensor.createTensor(env, hidden[i], stateShape);
                if (info.hasCellState()) {
                    cell[i] = floats(stateSize);
                    cellTensor[i] = OnnxTensor.createTensor(env, cell[i], stateShape);
                }
            }
            if (tokens && !ints) {
                tokenLong = direct(8).asLongBuffer();
                tokenInt = null;
                featureBuffer = null;
                stepInput = OnnxTensor.createTensor(env, tokenLong, new long[] {1, 1});
            } else if (tokens) {
                tokenLong = null;
                tokenInt = direct(4).asIntBuffer();
                featureBuffer = null;
                stepInput = OnnxTensor.createTensor(env, tokenInt, new long[] {1, 1});
            } else {
                tokenLong = null;
                tokenInt = null;
                featureBuffer = floats(info.inputSize());
                stepInput = OnnxTensor.createTensor(env, featureBuffer, new long[] {1, 1, info.inputSize()});
            }
            // Format 2 graphs take sequence_lens on every run: one row of one step, bound once.
            stepLengths = model.takesSequenceLengths() ? model.sequenceLengths(1, 1) : null;
            stepOutputBuffer = floats(outputSize);
            stepOutput = OnnxTensor.createTensor(env, stepOutputBuffer,
                    info.isPerStep() ? new long[] {1, 1, outputSize} : new long[] {1, outputSize});
        } catch (OrtException e) {
            releaseTensors();
            throw new StepwiseException(model.source() + ": cannot allocate a session's tensors: " + e.getMessage(), e);
        }
        stepFeeds = new Map[2];
        stepPinned = new Map[2];
        statePinned = new Map[2];
        for (int cur = 0; cur < 2; cur++) {
            int next = 1 - cur;
            stepFeeds[cur] = new HashMap<>();
            stepFeeds[cur].put(info.inputName(), stepInput);
            stepFeeds[cur].put(info.stateInputs().get(0), hiddenTensor[cur]);
            if (stepLengths != null) {
                stepFeeds[cur].put(ModelFormat.SEQUENCE_LENGTHS_INPUT, stepLengths);
            }
            statePinned[cur] = new HashMap<>();
            statePinned[cur].put(info.stateOutputs().get(0), hiddenTensor[next]);
            if (info.hasCellState()) {
                stepFeeds[cur].put(info.stateInputs().get(1), cellTensor[cur]);
                statePinned[cur].put(info.stateOutputs().get(1), cellTensor[next]);
            }
            stepPinned[cur] = new HashMap<>(statePinned[cur]);
            stepPinned[cur].put(info.outputName(), stepOutput);
        }
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    private static FloatBuffer floats(int n) {
        return direct(n * 4).asFloatBuffer();
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
        return closed;
    }

    // ---------------------------------------------------------------- stepping

    /**
     * Feeds one token.
     *
     * @return the head's output for this step (per-step head) or for the state after it (final-state head),
     *         a fresh array of {@link ModelInfo#outputSize()} values
     * @throws IllegalArgumentException when {@code token} is outside [0, vocabulary size)
     * @throws UnsupportedOperationException when the model reads features
     */
    @Override
    public float[] step(int token) {
        enter();
        try {
            InputChecks.requireInput(info, true);
            InputChecks.checkToken(token, vocabulary, false, "token");
            if (tokenLong != null) {
                tokenLong.put(0, token);
            } else {
                tokenInt.put(0, token);
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
     */
    @Override
    public float[] step(float[] features) {
        enter();
        try {
            InputChecks.requireInput(info, false);
            InputChecks.checkFeatures(features, info.inputSize(), "features");
            featureBuffer.put(0, features);
            return runStep();
        } finally {
            exit();
        }
    }

    private float[] runStep() {
        try (OrtSession.Result ignored = model.ortSession().run(stepFeeds[current], stepPinned[current])) {
            current = 1 - current;
            position++;
        } catch (OrtException e) {
            throw runFailure(e);
        }
        float[] out = new float[outputSize];
        stepOutputBuffer.get(0, out);
        return out;
    }

    /**
     * Feeds several tokens in one ONNX Runtime call; equal to calling {@link #step(int)} for each.
     *
     * @return per-step head: one row per token; final-state head: one row, for the state after the last token;
     *         no rows (and no change) for an empty array
     * @throws IllegalArgumentException naming the first id outside [0, vocabulary size) and its index; the
     *                                  session is unchanged
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
                InputChecks.checkToken(tokens[i], vocabulary, false, "tokens[" + i + "]");
            }
            java.nio.Buffer input;
            if (model.tokenType() == OnnxJavaType.INT32) {
                input = IntBuffer.wrap(tokens.clone());
            } else {
                long[] ids = new long[tokens.length];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = tokens[i];
                }
                input = LongBuffer.wrap(ids);
            }
            long[] shape = model.batchFirst() ? new long[] {1, tokens.length} : new long[] {tokens.length, 1};
            return runSequence(input, shape, tokens.length);
        } finally {
            exit();
        }
    }

    /**
     * Feeds several steps of features in one ONNX Runtime call; equal to calling {@link #step(float[])} for each.
     *
     * @param steps [sequence][F] values
     * @return as {@link #feed(int[])}
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
            float[] flat = new float[steps.length * f];
            for (int t = 0; t < steps.length; t++) {
                InputChecks.checkFeatures(steps[t], f, "steps[" + t + "]");
                System.arraycopy(steps[t], 0, flat, t * f, f);
            }
            long[] shape = model.batchFirst() ? new long[] {1, steps.length, f} : new long[] {steps.length, 1, f};
            return runSequence(FloatBuffer.wrap(flat), shape, steps.length);
        } finally {
            exit();
        }
    }

    private float[][] runSequence(java.nio.Buffer input, long[] shape, int length) {
        try (OnnxTensor in = model.createInput(input, shape);
             OnnxTensor lengths = stepLengths == null ? null : model.sequenceLengths(1, length)) {
            Map<String, OnnxTensor> feeds = new HashMap<>(stepFeeds[current]);
            feeds.put(info.inputName(), in);
            if (lengths != null) {
                feeds.put(ModelFormat.SEQUENCE_LENGTHS_INPUT, lengths);
            }
            float[][] rows;
            if (info.isPerStep()) {
                try (OrtSession.Result r = model.ortSession().run(feeds, Set.of(info.outputName()), statePinned[current])) {
                    FloatBuffer out = ((OnnxTensor) r.get(info.outputName()).orElseThrow()).getFloatBuffer();
                    rows = new float[length][outputSize];
                    for (float[] row : rows) {
                        out.get(row);
                    }
                }
            } else {
                try (OrtSession.Result ignored = model.ortSession().run(feeds, stepPinned[current])) {
                    rows = new float[1][outputSize];
                    stepOutputBuffer.get(0, rows[0]);
                }
            }
            current = 1 - current;
            position += length;
            return rows;
        } catch (OrtException e) {
            throw runFailure(e);
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
            fill(hidden[current], null);
            if (info.hasCellState()) {
                fill(cell[current], null);
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
            hidden[current].get(0, h);
            float[] c = null;
            if (info.hasCellState()) {
                c = new float[stateSize];
                cell[current].get(0, c);
            }
            return new SessionState(info.fingerprint(), position, info.stateRows(), info.hiddenSize(), h, c);
        } finally {
            exit();
        }
    }

    /**
     * Replaces the current state and position with {@code state}'s.
     *
     * @throws IllegalArgumentException when the state belongs to a model of another architecture (the message
     *                                  names both fingerprints) or its shape does not fit
     */
    @Override
    public void restore(SessionState state) {
        Objects.requireNonNull(state, "state");
        enter();
        try {
            if (!state.fingerprint().equals(info.fingerprint())) {
                throw new IllegalArgumentException("state: it belongs to a model with fingerprint " + state.fingerprint()
                        + " but this session's model has fingerprint " + info.fingerprint()
                        + " (a different architecture or vocabulary)");
            }
            if (state.rows() != info.stateRows() || state.hiddenSize() != info.hiddenSize()
                    || state.hasCellState() != info.hasCellState()) {
                throw new IllegalArgumentException("state: shape " + state.rows() + "×" + state.hiddenSize()
                        + (state.hasCellState() ? " (h, c)" : " (h)") + " does not fit this model's "
                        + info.stateRows() + "×" + info.hiddenSize() + (info.hasCellState() ? " (h, c)" : " (h)"));
            }
            fill(hidden[current], state.hiddenArray());
            if (info.hasCellState()) {
                fill(cell[current], state.cellArray());
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
        if (closed) {
            model.readLock().unlock();
            user.set(null);
            checkClosed();
        }
    }

    private void exit() {
        model.readLock().unlock();
        user.set(null);
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException(modelClosed
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
                releaseTensors();
                model.unregister(this);
            }
        } finally {
            model.readLock().unlock();
            user.set(null);
        }
    }

    /** Called by the model's close() under its write lock: no step of this session is running. */
    void releaseBecauseModelClosed() {
        if (!closed) {
            modelClosed = true;
            closed = true;
            releaseTensors();
        }
    }

    private void releaseTensors() {
        for (int i = 0; i < 2; i++) {
            closeTensor(hiddenTensor[i]);
            closeTensor(cellTensor[i]);
        }
        closeTensor(stepInput);
        closeTensor(stepOutput);
        closeTensor(stepLengths);
    }

    private static void closeTensor(OnnxTensor t) {
        if (t != null) {
            t.close();
        }
    }

    @Override
    public String toString() {
        return "StepSession[position " + position + (closed ? ", closed" : "") + "]";
    }
}
