package io.stepwise.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntUnaryOperator;

/**
 * A loaded recurrent model (vanilla RNN, LSTM or GRU with an embedding or dense input and a linear head) on its
 * own ONNX Runtime session. Heavy and thread-safe: load it once and hand out light, single-threaded
 * {@link StepSession}s, one per stream (a conversation, a time series), each holding its own recurrent state.
 *
 * <pre>{@code
 * try (RecurrentModel model = RecurrentModel.load(Path.of("shakespeare.onnx"));
 *      StepSession session = model.newSession()) {
 *     float[] logits = session.step(token);      // state carried inside the session
 * }
 * }</pre>
 *
 * <p>The cells follow ONNX's (= PyTorch's) equations, with x the input, h the previous hidden state:
 * <ul>
 *   <li>RNN: h' = tanh(W x + b_W + R h + b_R) (or relu)</li>
 *   <li>LSTM: i = σ(W_i x + R_i h + b_i), f = σ(W_f x + R_f h + b_f), g = tanh(W_g x + R_g h + b_g),
 *       o = σ(W_o x + R_o h + b_o); c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c')</li>
 *   <li>GRU: z = σ(W_z x + R_z h + b_z), r = σ(W_r x + R_r h + b_r),
 *       n = tanh(W_n x + b_Wn + r ⊙ (R_n h + b_Rn)); h' = (1 − z) ⊙ n + z ⊙ h</li>
 * </ul>
 *
 * <p>Models come from Stepwise files (which describe themselves in their metadata) or from any recurrent ONNX
 * graph with explicit state inputs and outputs, bound by a {@link ModelSignature}. Loading checks the file
 * before ONNX Runtime sees it: corrupt or truncated files, files that are not ONNX, and models whose external
 * data would be read from outside the model's folder are refused with a {@link StepwiseException}; tensors whose
 * data does not match their type and shape, models beyond {@link RuntimeOptions#modelLimits()}, Stepwise files
 * that differ from what the exporter writes and signature-bound models with operators outside the allow-list
 * are refused with a {@link ModelValidationException}. A file is then opened by ONNX Runtime from its path, so
 * the weights are not held twice (once in a Java array).
 *
 * <p>Bidirectional models read whole sequences (the backward direction starts at the end), so they cannot be
 * stepped: {@link #newSession()} refuses them; run them with {@link #forward} (which
 * {@code io.stepwise.runtime.classify.SequenceClassifier} does).
 *
 * <p>{@link #close()} waits for runs in flight, then closes every session still open and the ORT session;
 * anything used afterwards throws {@link IllegalStateException}.
 */
public final class RecurrentModel implements SessionSource, AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelInfo info;
    private final String source;
    private final OnnxJavaType tokenType;
    private final boolean batchFirst;
    private final BatchRunner batch;
    private final RuntimeOptions options;
    private final BatchKernel kernel;
    /** The graph takes {@link ModelFormat#SEQUENCE_LENGTHS_INPUT} (format 2), which every run must feed. */
    private final boolean sequenceLengths;
    /** Runs hold the read lock, close() the write lock, so the native session is never freed under a run. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** The native side of every open session; sessions themselves are not held, so dropped ones can be cleaned. */
    private final Set<SessionTensors> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Used by {@link ModelLoader} once the graph is bound. */
    RecurrentModel(OrtEnvironment env, OrtSession session, GraphBinder.Binding binding, String source,
                   RuntimeOptions options) {
        this.options = options;
        this.env = env;
        this.session = session;
        this.info = binding.info();
        this.source = source;
        this.tokenType = binding.tokenType();
        this.batchFirst = binding.batchFirst();
        this.sequenceLengths = session.getInputNames().contains(ModelFormat.SEQUENCE_LENGTHS_INPUT);
        this.batch = new BatchRunner(this);
        this.kernel = new BatchKernel(this);
    }

    // ---------------------------------------------------------------- loading

    /**
     * Loads a Stepwise model file with {@link RuntimeOptions#defaults()}.
     *
     * @see #load(Path, RuntimeOptions)
     */
    public static RecurrentModel load(Path file) {
        return load(file, RuntimeOptions.defaults());
    }

    /**
     * Loads a Stepwise model file. ONNX Runtime opens it from its path after the runtime has vetted its bytes.
     *
     * @param file    the ONNX file; external data, if any, must lie in its folder or below
     * @param options device, threads and optimisation
     * @throws StepwiseException when the file is missing, unreadable, not a valid ONNX model, escapes its folder
     *                           with external data, carries no Stepwise metadata, does not match its metadata,
     *                           changes while it is loaded, or ONNX Runtime refuses it
     */
    public static RecurrentModel load(Path file, RuntimeOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        return ModelLoader.load(file, null, options);
    }

    /**
     * Loads any recurrent ONNX model, bound by {@code signature}, with {@link RuntimeOptions#defaults()}.
     *
     * @see #load(Path, ModelSignature, RuntimeOptions)
     */
    public static RecurrentModel load(Path file, ModelSignature signature) {
        return load(file, signature, RuntimeOptions.defaults());
    }

    /**
     * Loads any recurrent ONNX model, bound by {@code signature}: a model from another tool, or a Stepwise file
     * read through explicit names.
     *
     * @throws StepwiseException as {@link #load(Path, RuntimeOptions)}, or when the graph does not match the
     *                           signature
     */
    public static RecurrentModel load(Path file, ModelSignature signature, RuntimeOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(options, "options");
        return ModelLoader.load(file, signature, options);
    }

    /**
     * Loads a self-contained Stepwise model from memory with {@link RuntimeOptions#defaults()}.
     *
     * @see #fromBytes(byte[], RuntimeOptions)
     */
    public static RecurrentModel fromBytes(byte[] model) {
        return fromBytes(model, RuntimeOptions.defaults());
    }

    /**
     * Loads a Stepwise model from memory. It must be self-contained: without a folder there is nowhere safe to read
     * external data from, so models referring to external data are refused. ONNX Runtime parses its own copy of
     * the bytes; prefer {@link #load(Path)} for large models on disk.
     *
     * @throws StepwiseException as {@link #load(Path, RuntimeOptions)}, or when the model refers to external data
     */
    public static RecurrentModel fromBytes(byte[] model, RuntimeOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        return ModelLoader.fromMemory(model, null, options, ModelOrigin.memory("model bytes"));
    }

    /**
     * Loads any self-contained recurrent ONNX model from memory, bound by {@code signature}, with
     * {@link RuntimeOptions#defaults()}.
     */
    public static RecurrentModel fromBytes(byte[] model, ModelSignature signature) {
        return fromBytes(model, signature, RuntimeOptions.defaults());
    }

    /**
     * Loads any self-contained recurrent ONNX model from memory, bound by {@code signature}.
     *
     * @throws StepwiseException as {@link #fromBytes(byte[], RuntimeOptions)}, or when the graph does not match
     *                           the signature
     */
    public static RecurrentModel fromBytes(byte[] model, ModelSignature signature, RuntimeOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(options, "options");
        return ModelLoader.fromMemory(model, signature, options, ModelOrigin.memory("model bytes"));
    }

    /**
     * Loads a self-contained Stepwise model from the classpath, e.g. {@code "models/names.onnx"}, with
     * {@link RuntimeOptions#defaults()}.
     *
     * @see #fromResource(String, RuntimeOptions)
     */
    public static RecurrentModel fromResource(String classpathResource) {
        return fromResource(classpathResource, RuntimeOptions.defaults());
    }

    /**
     * Loads a self-contained Stepwise model from the classpath (the context class loader, else this class's
     * loader). A leading {@code /} is ignored.
     *
     * @throws StepwiseException when the resource is missing or the model cannot be loaded
     */
    public static RecurrentModel fromResource(String classpathResource, RuntimeOptions options) {
        Objects.requireNonNull(classpathResource, "classpathResource");
        Objects.requireNonNull(options, "options");
        ModelOrigin origin = resourceOrigin(classpathResource);
        return ModelLoader.fromMemory(ModelLoader.readResource(resourceName(classpathResource), origin), null,
                options, origin);
    }

    /** Loads any self-contained recurrent ONNX model from the classpath, bound by {@code signature}. */
    public static RecurrentModel fromResource(String classpathResource, ModelSignature signature) {
        return fromResource(classpathResource, signature, RuntimeOptions.defaults());
    }

    /**
     * Loads any self-contained recurrent ONNX model from the classpath, bound by {@code signature}.
     *
     * @throws StepwiseException when the resource is missing, the model cannot be loaded or does not match the
     *                           signature
     */
    public static RecurrentModel fromResource(String classpathResource, ModelSignature signature,
                                              RuntimeOptions options) {
        Objects.requireNonNull(classpathResource, "classpathResource");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(options, "options");
        ModelOrigin origin = resourceOrigin(classpathResource);
        return ModelLoader.fromMemory(ModelLoader.readResource(resourceName(classpathResource), origin), signature,
                options, origin);
    }

    private static String resourceName(String classpathResource) {
        return classpathResource.startsWith("/") ? classpathResource.substring(1) : classpathResource;
    }

    private static ModelOrigin resourceOrigin(String classpathResource) {
        return ModelOrigin.memory("classpath resource '" + resourceName(classpathResource) + "'");
    }

    // ---------------------------------------------------------------- use

    /** What the model is: architecture, task, vocabulary, metadata. */
    @Override
    public ModelInfo info() {
        return info;
    }

    /** Where the model came from: its path, or a description such as "model bytes". */
    public String source() {
        return source;
    }

    /**
     * A new stream with a zero state. Sessions are cheap (a few small native tensors), single-threaded, and must
     * be closed; closing the model closes those still open.
     *
     * @throws UnsupportedOperationException when the model is bidirectional, naming the alternatives
     * @throws IllegalStateException         when the model is closed
     */
    @Override
    public StepSession newSession() {
        if (info.bidirectional()) {
            throw new UnsupportedOperationException(source + ": this model is bidirectional: its backward direction"
                    + " reads each sequence from the end, so it cannot be stepped one input at a time. Run whole"
                    + " sequences with RecurrentModel.forward, or classify them with SequenceClassifier");
        }
        lock.readLock().lock();
        try {
            checkClosed();
            SessionTensors tensors = new SessionTensors(this);
            sessions.add(tensors);
            return new StepSession(this, tensors);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Runs whole token sequences from the zero state in one call; see {@link #forward(long[][], float[], float[])}.
     */
    public BatchResult forward(long[][] tokens) {
        return forward(tokens, null, null);
    }

    /**
     * Runs whole token sequences in one call.
     *
     * @param tokens [batch][sequence] token ids; every row the same length ≥ 1
     * @param h0     initial hidden state, flat [L·D·batch·H] row-major, or {@code null} for zeros
     * @param c0     initial cell state (LSTM only), same shape, or {@code null} for zeros
     * @throws IllegalArgumentException      for ragged or empty input, ids outside [0, vocabulary), wrong state
     *                                       sizes, NaN/infinite state, or a cell state given to a model without one
     * @throws UnsupportedOperationException when the model reads features
     */
    public BatchResult forward(long[][] tokens, float[] h0, float[] c0) {
        return batch.forward(tokens, h0, c0);
    }

    /**
     * Runs whole feature sequences from the zero state in one call; see
     * {@link #forward(float[][][], float[], float[])}.
     */
    public BatchResult forward(float[][][] features) {
        return forward(features, null, null);
    }

    /**
     * Runs whole feature sequences in one call.
     *
     * @param features [batch][sequence][F] values, already scaled; every row the same length ≥ 1
     * @param h0       initial hidden state, flat [L·D·batch·H] row-major, or {@code null} for zeros
     * @param c0       initial cell state (LSTM only), or {@code null} for zeros
     * @throws IllegalArgumentException      for ragged or empty input, a wrong feature count, NaN or infinite
     *                                       values, or wrong state sizes
     * @throws UnsupportedOperationException when the model reads tokens
     */
    public BatchResult forward(float[][][] features, float[] h0, float[] c0) {
        return batch.forward(features, h0, c0);
    }

    // ---------------------------------------------------------------- stateless batched steps

    /**
     * The state of a new sequence: zeros at position 0 (one shared immutable instance). With {@link #stepAll} it
     * lets a caller that keeps states itself (a stream processor's keyed state, a batching front) run sequences
     * without sessions.
     */
    public SessionState initialState() {
        return kernel.initialState();
    }

    /**
     * Steps many sequences by one token each in one ONNX Runtime call: gathers their states into
     * {@code [L·D, B, H]}, runs, and scatters the new states back. Stateless and thread-safe; nothing is kept.
     * Row {@code i} of the result equals a {@link StepSession} restored to {@code states[i]} stepping
     * {@code tokens[i]}.
     *
     * @param states one state per sequence, from {@link #initialState()}, a snapshot, or an earlier result
     * @param tokens one id per sequence, in [0, vocabulary size)
     * @throws IllegalArgumentException      when the arrays differ in length or are empty, a state belongs to
     *                                       another model or is null, or an id is out of range (naming its index);
     *                                       nothing runs
     * @throws UnsupportedOperationException when the model reads features
     * @throws IllegalStateException         when the model is closed
     */
    public SteppedStates stepAll(SessionState[] states, int[] tokens) {
        return kernel.stepAll(states, tokens);
    }

    /**
     * Steps many sequences by one feature vector each in one ONNX Runtime call; see {@link #stepAll(SessionState[],
     * int[])}.
     *
     * @param features one row of {@link ModelInfo#inputSize()} finite values per sequence
     */
    public SteppedStates stepAll(SessionState[] states, float[][] features) {
        return kernel.stepAll(states, features);
    }

    /**
     * Feeds many sequences several tokens each, of any lengths ≥ 1: row {@code i} equals {@link Session#feed}
     * of {@code tokens[i]} from {@code states[i]} ({@link SteppedStates#outputs(int)}). A format-2 model runs
     * them in one call with per-row sequence lengths; a format-1 model runs one call per distinct length.
     *
     * @throws IllegalArgumentException as {@link #stepAll(SessionState[], int[])}, or for a null or empty row
     */
    public SteppedStates feedAll(SessionState[] states, int[][] tokens) {
        return kernel.feedAll(states, tokens);
    }

    /** Feeds many sequences several feature steps each; see {@link #feedAll(SessionState[], int[][])}. */
    public SteppedStates feedAll(SessionState[] states, float[][][] features) {
        return kernel.feedAll(states, features);
    }

    /**
     * As {@link #feedAll(SessionState[], int[][])}, for sequences that keep their states in {@link StateSlot}s: each
     * slot is advanced in place, its new state written into its old state's arrays when nobody has taken that state
     * from the slot (what a batching front does on every step, without allocating). A call that fails leaves every
     * slot as it was.
     *
     * @return per row, the rows {@link Session#feed} returns; the arrays are the caller's
     * @throws IllegalStateException    when a slot is listed twice or being stepped by another call
     * @throws IllegalArgumentException as {@link #feedAll(SessionState[], int[][])}
     */
    public float[][][] feedAll(StateSlot[] slots, int[][] tokens) {
        return kernel.feedAll(slots, tokens);
    }

    /** Feeds many slots several feature steps each; see {@link #feedAll(StateSlot[], int[][])}. */
    public float[][][] feedAll(StateSlot[] slots, float[][][] features) {
        return kernel.feedAll(slots, features);
    }

    /** Whether the graph takes per-row sequence lengths (format 2), so that feeds of different lengths share a call. */
    boolean takesSequenceLengths() {
        return sequenceLengths;
    }

    /** An int32 [rows] tensor of {@code length} each, for the {@link ModelFormat#SEQUENCE_LENGTHS_INPUT} input. */
    OnnxTensor sequenceLengths(int rows, int length) throws OrtException {
        int[] lengths = new int[rows];
        java.util.Arrays.fill(lengths, length);
        return OnnxTensor.createTensor(env, IntBuffer.wrap(lengths), new long[] {rows});
    }

    // ---------------------------------------------------------------- plumbing for StepSession

    OrtEnvironment environment() {
        return env;
    }

    OrtSession ortSession() {
        return session;
    }

    /** A tensor over {@code input}: int64, int32 or float by the buffer's type. */
    OnnxTensor createInput(Buffer input, long[] shape) throws OrtException {
        if (input instanceof LongBuffer l) {
            return OnnxTensor.createTensor(env, l, shape);
        }
        if (input instanceof IntBuffer i) {
            return OnnxTensor.createTensor(env, i, shape);
        }
        return OnnxTensor.createTensor(env, (FloatBuffer) input, shape);
    }

    OnnxJavaType tokenType() {
        return tokenType;
    }

    boolean batchFirst() {
        return batchFirst;
    }

    ReentrantReadWriteLock.ReadLock readLock() {
        return lock.readLock();
    }

    /** The run/close lock itself; tests hold its write lock to freeze a session inside a call. */
    ReentrantReadWriteLock lock() {
        return lock;
    }

    /** Forgets a session's tensors once released (by its close or its cleaner). */
    void forget(SessionTensors tensors) {
        sessions.remove(tensors);
    }

    /** The options the model was loaded with. */
    RuntimeOptions options() {
        return options;
    }

    /** The bounds on every call ({@link RuntimeOptions#runLimits()}). */
    @Override
    public RunLimits runLimits() {
        return options.runLimits();
    }

    /**
     * Number of sessions not yet closed. A session dropped without close counts until the garbage collector has
     * found it unreachable and its cleaner has run.
     */
    public int openSessions() {
        return sessions.size();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    void checkClosed() {
        if (closed) {
            throw new IllegalStateException("RecurrentModel (" + source + ") is closed");
        }
    }

    /**
     * Waits for runs in flight, closes every open session and releases the ONNX Runtime session. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            for (SessionTensors s : sessions) {
                s.release(true);
            }
            sessions.clear();
            kernel.close();
            session.close();
        } catch (OrtException e) {
            throw new StepwiseException(source + ": closing the ONNX Runtime session failed: " + e.getMessage(), e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "RecurrentModel[" + source + ", " + info.cell() + " " + info.layers() + "×" + info.hiddenSize() + ", "
                + info.inputKind() + " → " + info.outputSize() + (closed ? ", closed" : "") + "]";
    }
}
