package io.stepwise.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

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
 * are refused with a {@link ModelValidationException}.
 *
 * <p>{@link #close()} waits for runs in flight, then closes every session still open and the ORT session;
 * anything used afterwards throws {@link IllegalStateException}.
 */
public final class RecurrentModel implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelInfo info;
    private final String source;
    private final OnnxJavaType tokenType;
    private final boolean batchFirst;
    /** Runs hold the read lock, close() the write lock, so the native session is never freed under a run. */
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Set<StepSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private RecurrentModel(OrtEnvironment env, OrtSession session, ModelInfo info, String source,
                           OnnxJavaType tokenType, boolean batchFirst) {
        this.env = env;
        this.session = session;
        this.info = info;
        this.source = source;
        this.tokenType = tokenType;
        this.batchFirst = batchFirst;
    }

    // ---------------------------------------------------------------- loading

    /** Loads a Stepwise model file with {@link RuntimeOptions#defaults()}. */
    public static RecurrentModel load(Path file) {
        return load(file, null, RuntimeOptions.defaults());
    }

    /** Loads a Stepwise model file. */
    public static RecurrentModel load(Path file, RuntimeOptions options) {
        return load(file, null, options);
    }

    /** Loads any recurrent ONNX model, bound by {@code signature}, with {@link RuntimeOptions#defaults()}. */
    public static RecurrentModel load(Path file, ModelSignature signature) {
        return load(file, Objects.requireNonNull(signature, "signature"), RuntimeOptions.defaults());
    }

    /**
     * Loads a model file.
     *
     * @param file      the ONNX file; external data, if any, must lie in its folder or below
     * @param signature how to bind a model not written by Stepwise, or {@code null} for a Stepwise file
     * @param options   device, threads and optimisation
     * @throws StepwiseException when the file is missing, unreadable, not a valid ONNX model, escapes its folder
     *                           with external data, carries neither Stepwise metadata nor a signature, does not
     *                           match its metadata or signature, or ONNX Runtime refuses it
     */
    public static RecurrentModel load(Path file, ModelSignature signature, RuntimeOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new StepwiseException(file, "no such model file", e);
        } catch (IOException | OutOfMemoryError e) {
            throw new StepwiseException(file, "cannot read the model file: " + e, e);
        }
        OnnxWireScanner.Scan scan = scan(bytes, file.toString(), file, signature, options);
        if (scan.externalLocations().isEmpty()) {
            return create(bytes, null, scan, signature, options, file.toString(), file);
        }
        checkExternalData(file, scan.externalLocations());
        // ORT must read from the path so that it resolves the (vetted) external data against the model's folder.
        return create(null, file, scan, signature, options, file.toString(), file);
    }

    /** Loads a self-contained model from memory with {@link RuntimeOptions#defaults()}. */
    public static RecurrentModel fromBytes(byte[] model) {
        return fromBytes(model, null, RuntimeOptions.defaults());
    }

    public static RecurrentModel fromBytes(byte[] model, RuntimeOptions options) {
        return fromBytes(model, null, options);
    }

    /**
     * Loads a model from memory. It must be self-contained: without a folder there is nowhere safe to read
     * external data from, so models referring to external data are refused.
     *
     * @param signature how to bind a model not written by Stepwise, or {@code null}
     */
    public static RecurrentModel fromBytes(byte[] model, ModelSignature signature, RuntimeOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        return fromMemory(model, signature, options, "model bytes");
    }

    /** Loads a self-contained model from the classpath, e.g. {@code "models/names.onnx"}. */
    public static RecurrentModel fromResource(String classpathResource) {
        return fromResource(classpathResource, null, RuntimeOptions.defaults());
    }

    public static RecurrentModel fromResource(String classpathResource, RuntimeOptions options) {
        return fromResource(classpathResource, null, options);
    }

    /**
     * Loads a self-contained model from the classpath (the context class loader, else this class's loader). A
     * leading {@code /} is ignored.
     *
     * @throws StepwiseException when the resource is missing or the model cannot be loaded
     */
    public static RecurrentModel fromResource(String classpathResource, ModelSignature signature,
                                              RuntimeOptions options) {
        Objects.requireNonNull(classpathResource, "classpathResource");
        Objects.requireNonNull(options, "options");
        String name = classpathResource.startsWith("/") ? classpathResource.substring(1) : classpathResource;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null || loader.getResource(name) == null) {
            loader = RecurrentModel.class.getClassLoader();
        }
        byte[] bytes;
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new StepwiseException("classpath resource '" + name + "': not found");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new StepwiseException("classpath resource '" + name + "': cannot be read: " + e, e);
        }
        return fromMemory(bytes, signature, options, "classpath resource '" + name + "'");
    }

    private static RecurrentModel fromMemory(byte[] bytes, ModelSignature signature, RuntimeOptions options,
                                             String source) {
        OnnxWireScanner.Scan scan = scan(bytes, source, null, signature, options);
        if (!scan.externalLocations().isEmpty()) {
            throw new StepwiseException(source + ": the model stores tensors as external data "
                    + scan.externalLocations() + "; a model loaded from memory must be self-contained; load it"
                    + " from its file instead");
        }
        return create(bytes, null, scan, signature, options, source, null);
    }

    private static OnnxWireScanner.Scan scan(byte[] bytes, String source, Path file, ModelSignature signature,
                                             RuntimeOptions options) {
        try {
            OnnxModelValidator.validate(bytes, options.modelLimits(), signature == null
                    ? OnnxModelValidator.Format.STEPWISE : OnnxModelValidator.Format.FOREIGN);
        } catch (ModelValidationException e) {
            throw file != null ? new ModelValidationException(file, e.getMessage(), null)
                    : new ModelValidationException(source + ": " + e.getMessage());
        }
        try {
            return OnnxWireScanner.scan(bytes);
        } catch (IllegalArgumentException e) {
            String reason = "not a valid ONNX model (" + e.getMessage() + "); the file may be truncated, corrupt,"
                    + " or not a model at all";
            throw file != null ? new StepwiseException(file, reason, null) : new StepwiseException(source + ": " + reason);
        }
    }

    /**
     * Refuses external-data locations that would make ONNX Runtime read outside the model's folder: absolute
     * paths, {@code ..} segments, and links that resolve elsewhere.
     */
    static void checkExternalData(Path file, List<String> locations) {
        Path folder = file.toAbsolutePath().normalize().getParent();
        for (String location : locations) {
            String reason = null;
            Path resolved = null;
            if (location.isEmpty()) {
                reason = "is empty";
            } else if (location.indexOf('\0') >= 0) {
                reason = "contains a NUL character";
            } else if (location.startsWith("/") || location.startsWith("\\") || location.matches("^[A-Za-z]:.*")) {
                reason = "is absolute";
            } else if (Arrays.asList(location.split("[/\\\\]")).contains("..")) {
                reason = "contains '..'";
            } else {
                try {
                    resolved = folder.resolve(location).normalize();
                    if (!resolved.startsWith(folder)) {
                        reason = "resolves outside the model's folder";
                    } else if (Files.exists(resolved)
                            && !resolved.toRealPath().startsWith(folder.toRealPath())) {
                        reason = "is a link to a file outside the model's folder";
                    }
                } catch (InvalidPathException | IOException e) {
                    reason = "is not a usable path (" + e.getMessage() + ")";
                }
            }
            if (reason != null) {
                throw new StepwiseException(file, "refused: external data location '" + location + "' " + reason
                        + "; a model may only read external data from its own folder (" + folder + ") or below", null);
            }
        }
    }

    private static RecurrentModel create(byte[] bytes, Path path, OnnxWireScanner.Scan scan,
                                         ModelSignature signature, RuntimeOptions options, String source, Path file) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions so = sessionOptions(options, source)) {
            session = bytes != null ? env.createSession(bytes, so) : env.createSession(path.toString(), so);
        } catch (OrtException e) {
            throw fail(file, source, "ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
        try {
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            Binding binding = signature != null
                    ? bindSignature(session, signature, scan, metadata)
                    : bindStepwise(session, metadata);
            return new RecurrentModel(env, session, binding.info, source, binding.tokenType, binding.batchFirst);
        } catch (IllegalArgumentException | OrtException e) {
            closeQuietly(session);
            throw fail(file, source, e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static StepwiseException fail(Path file, String source, String reason, Throwable cause) {
        return file != null ? new StepwiseException(file, reason, cause)
                : new StepwiseException(source + ": " + reason, cause);
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // Already failing; the original error is the one worth reporting.
        }
    }

    static OrtSession.SessionOptions sessionOptions(RuntimeOptions options, String source) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            String spin = options.spinning() ? "1" : "0";
            so.addConfigEntry("session.intra_op.allow_spinning", spin);
            so.addConfigEntry("session.inter_op.allow_spinning", spin);
            so.setOptimizationLevel(switch (options.optimizationLevel()) {
                case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            if (options.device().isCuda()) {
                addCuda(so, options.device().deviceId(), source);
            }
            return so;
        } catch (OrtException | RuntimeException e) {
            so.close();
            throw e;
        }
    }

    private static void addCuda(OrtSession.SessionOptions so, int deviceId, String source) {
        String fix = "To run on a GPU, build with the ONNX Runtime GPU artifact (Maven profile -Pgpu, artifact"
                + " com.microsoft.onnxruntime:onnxruntime_gpu) and install CUDA 12 with cuDNN 9 and an NVIDIA driver;"
                + " or use Device.CPU.";
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            throw new StepwiseException(source + ": CUDA was requested but this ONNX Runtime has no CUDA execution"
                    + " provider (available: " + OrtEnvironment.getAvailableProviders() + "). " + fix);
        }
        try {
            so.addCUDA(deviceId);
        } catch (OrtException e) {
            throw new StepwiseException(source + ": CUDA device " + deviceId + " could not be initialised ("
                    + e.getMessage() + "). " + fix, e);
        }
    }

    /** The result of matching a graph against metadata or a signature. */
    private record Binding(ModelInfo info, OnnxJavaType tokenType, boolean batchFirst) {
    }

    private static Binding bindStepwise(OrtSession session, Map<String, String> metadata) throws OrtException {
        if (!metadata.containsKey("stepwise.format")) {
            throw new IllegalArgumentException("the model has no Stepwise metadata (stepwise.format) and no signature"
                    + " was given. To run a recurrent ONNX model from another tool, bind it with"
                    + " RecurrentModel.load(path, ModelSignature.builder().input(..).output(..).state(..).build());"
                    + " graph inputs " + session.getInputNames() + ", outputs " + session.getOutputNames());
        }
        ModelInfo info = ModelInfo.fromStepwiseMetadata(metadata);
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        TensorInfo in = tensor(inputs, info.inputName(), "input");
        OnnxJavaType expectedType = info.isTokenInput() ? OnnxJavaType.INT64 : OnnxJavaType.FLOAT;
        if (in.type != expectedType) {
            throw new IllegalArgumentException("graph input '" + info.inputName() + "' is " + in.type
                    + " but the metadata says input kind " + info.inputKind() + " (" + expectedType + ")");
        }
        for (String s : info.stateInputs()) {
            checkState(tensor(inputs, s, "state input"), s, info.stateRows(), info.hiddenSize());
        }
        for (String s : info.stateOutputs()) {
            tensor(outputs, s, "state output");
        }
        TensorInfo out = tensor(outputs, info.outputName(), "output");
        int expectedRank = info.isPerStep() ? 3 : 2;
        if (out.getShape().length != expectedRank) {
            throw new IllegalArgumentException("graph output '" + info.outputName() + "' has rank "
                    + out.getShape().length + " but a " + info.head() + " head has rank " + expectedRank);
        }
        return new Binding(info, OnnxJavaType.INT64, true);
    }

    private static Binding bindSignature(OrtSession session, ModelSignature sig, OnnxWireScanner.Scan scan,
                                         Map<String, String> metadata) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        ModelInfo.Parts p = new ModelInfo.Parts();
        TensorInfo in = tensor(inputs, sig.input(), "input");
        OnnxJavaType tokenType = OnnxJavaType.INT64;
        long[] inShape = in.getShape();
        if (in.type == OnnxJavaType.INT64 || in.type == OnnxJavaType.INT32) {
            if (inShape.length != 2) {
                throw new IllegalArgumentException("signature input '" + sig.input() + "' holds token ids, so it must"
                        + " be 2-D [batch, sequence] but has shape " + Arrays.toString(inShape));
            }
            p.inputKind = ModelInfo.TOKENS;
            tokenType = in.type;
            p.inputSize = sig.vocabularySize().orElse(0);
        } else if (in.type == OnnxJavaType.FLOAT) {
            if (inShape.length != 3 || inShape[2] < 1) {
                throw new IllegalArgumentException("signature input '" + sig.input() + "' holds features, so it must"
                        + " be 3-D with a fixed feature count but has shape " + Arrays.toString(inShape));
            }
            p.inputKind = ModelInfo.FEATURES;
            p.inputSize = (int) inShape[2];
        } else {
            throw new IllegalArgumentException("signature input '" + sig.input() + "' has element type " + in.type
                    + "; expected int64 or int32 (tokens) or float (features)");
        }
        TensorInfo h = tensor(inputs, sig.stateInputs().get(0), "state input");
        long[] hShape = h.getShape();
        if (hShape.length != 3 || hShape[0] < 1 || hShape[2] < 1 || h.type != OnnxJavaType.FLOAT) {
            throw new IllegalArgumentException("state input '" + sig.stateInputs().get(0) + "' must be float"
                    + " [layers·directions, batch, hidden] with fixed first and last dimensions but is " + h.type
                    + " " + Arrays.toString(hShape));
        }
        int rows = (int) hShape[0];
        p.bidirectional = sig.bidirectional();
        if (p.bidirectional && rows % 2 != 0) {
            throw new IllegalArgumentException("state input '" + sig.stateInputs().get(0) + "' has " + rows
                    + " rows, which cannot be layers × 2 directions");
        }
        p.layers = p.bidirectional ? rows / 2 : rows;
        p.hiddenSize = (int) hShape[2];
        for (String s : sig.stateInputs()) {
            checkState(tensor(inputs, s, "state input"), s, rows, p.hiddenSize);
        }
        for (String s : sig.stateOutputs()) {
            checkState(tensor(outputs, s, "state output"), s, rows, p.hiddenSize);
        }
        TensorInfo out = tensor(outputs, sig.output(), "output");
        long[] outShape = out.getShape();
        if ((outShape.length != 2 && outShape.length != 3) || outShape[outShape.length - 1] < 1) {
            throw new IllegalArgumentException("signature output '" + sig.output() + "' must be [batch, sequence, O]"
                    + " or [batch, O] with a fixed O but has shape " + Arrays.toString(outShape));
        }
        p.head = outShape.length == 3 ? ModelInfo.PER_STEP : ModelInfo.FINAL_STATE;
        p.outputSize = (int) outShape[outShape.length - 1];
        Set<String> ops = scan.operatorTypes();
        p.cell = ops.contains("LSTM") ? "lstm" : ops.contains("GRU") ? "gru" : ops.contains("RNN") ? "rnn"
                : ModelInfo.UNKNOWN;
        if ("lstm".equals(p.cell) != (sig.stateInputs().size() == 2) && !ModelInfo.UNKNOWN.equals(p.cell)) {
            throw new IllegalArgumentException("the graph's recurrent operator is " + p.cell + " but the signature"
                    + " names " + sig.stateInputs().size() + " state pair(s); an LSTM needs two (h, c), GRU/RNN one");
        }
        p.inputName = sig.input();
        p.outputName = sig.output();
        p.stateInputs = sig.stateInputs();
        p.stateOutputs = sig.stateOutputs();
        ModelInfo.readTaskKeys(metadata, p);
        if (!sig.vocabulary().isEmpty()) {
            p.vocabulary = sig.vocabulary();
        }
        if (p.inputSize == 0 && p.inputKind.equals(ModelInfo.TOKENS) && !p.vocabulary.isEmpty()) {
            p.inputSize = p.vocabulary.size();
        }
        if (sig.task() != null) {
            p.task = sig.task();
        }
        return new Binding(p.build(), tokenType, sig.batchFirst());
    }

    private static TensorInfo tensor(Map<String, NodeInfo> infos, String name, String what) {
        NodeInfo node = infos.get(name);
        if (node == null) {
            throw new IllegalArgumentException("the graph has no " + what + " named '" + name + "'; it has "
                    + infos.keySet());
        }
        if (!(node.getInfo() instanceof TensorInfo t)) {
            throw new IllegalArgumentException(what + " '" + name + "' is not a tensor but " + node.getInfo());
        }
        return t;
    }

    private static void checkState(TensorInfo t, String name, int rows, int hidden) {
        long[] s = t.getShape();
        if (t.type != OnnxJavaType.FLOAT || s.length != 3 || (s[0] > 0 && s[0] != rows) || (s[2] > 0 && s[2] != hidden)) {
            throw new IllegalArgumentException("state '" + name + "' should be float [" + rows + ", batch, " + hidden
                    + "] but is " + t.type + " " + Arrays.toString(s));
        }
    }

    // ---------------------------------------------------------------- use

    /** What the model is: architecture, task, vocabulary, metadata. */
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
     */
    public StepSession newSession() {
        lock.readLock().lock();
        try {
            checkClosed();
            StepSession s = new StepSession(this);
            sessions.add(s);
            return s;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Runs whole token sequences in one call.
     *
     * @param tokens [batch][sequence] token ids; every row the same length ≥ 1
     * @param h0     initial hidden state, flat [L·D·batch·H] row-major, or {@code null} for zeros
     * @param c0     initial cell state (LSTM only), same shape, or {@code null} for zeros
     * @throws IllegalArgumentException for ragged or empty input, ids outside [0, vocabulary), wrong state sizes,
     *                                  NaN/infinite state, or a cell state given to a model without one
     */
    public BatchResult forward(long[][] tokens, float[] h0, float[] c0) {
        Objects.requireNonNull(tokens, "tokens");
        requireInput(true);
        int batch = tokens.length;
        int seq = sequenceLength(tokens.length, i -> tokens[i] == null ? -1 : tokens[i].length, "tokens");
        int vocab = info.inputSize();
        boolean ints = tokenType == OnnxJavaType.INT32;
        long[] longs = ints ? null : new long[batch * seq];
        int[] int32 = ints ? new int[batch * seq] : null;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                long id = tokens[b][t];
                if (id < 0 || (vocab > 0 && id >= vocab) || (ints && id > Integer.MAX_VALUE)) {
                    throw new IllegalArgumentException("tokens[" + b + "][" + t + "]: expected a token id in [0, "
                            + (vocab > 0 ? vocab : "vocabulary size") + ") but got " + id);
                }
                int at = batchFirst ? b * seq + t : t * batch + b;
                if (ints) {
                    int32[at] = (int) id;
                } else {
                    longs[at] = id;
                }
            }
        }
        long[] shape = batchFirst ? new long[] {batch, seq} : new long[] {seq, batch};
        return run(batch, seq, ints ? IntBuffer.wrap(int32) : LongBuffer.wrap(longs), shape, h0, c0);
    }

    /**
     * Runs whole feature sequences in one call.
     *
     * @param features [batch][sequence][F] values, already scaled; every row the same length ≥ 1
     * @param h0       initial hidden state, flat [L·D·batch·H] row-major, or {@code null} for zeros
     * @param c0       initial cell state (LSTM only), or {@code null} for zeros
     * @throws IllegalArgumentException for ragged or empty input, a wrong feature count, NaN or infinite values,
     *                                  or wrong state sizes
     */
    public BatchResult forward(float[][][] features, float[] h0, float[] c0) {
        Objects.requireNonNull(features, "features");
        requireInput(false);
        int batch = features.length;
        int seq = sequenceLength(batch, i -> features[i] == null ? -1 : features[i].length, "features");
        int f = info.inputSize();
        float[] flat = new float[batch * seq * f];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                float[] row = features[b][t];
                String where = "features[" + b + "][" + t + "]";
                checkFeatures(row, f, where);
                int at = batchFirst ? b * seq + t : t * batch + b;
                System.arraycopy(row, 0, flat, at * f, f);
            }
        }
        long[] shape = batchFirst ? new long[] {batch, seq, f} : new long[] {seq, batch, f};
        return run(batch, seq, FloatBuffer.wrap(flat), shape, h0, c0);
    }

    private int sequenceLength(int batch, java.util.function.IntUnaryOperator length, String name) {
        if (batch < 1) {
            throw new IllegalArgumentException(name + ": expected at least one sequence but got none");
        }
        int seq = length.applyAsInt(0);
        for (int b = 0; b < batch; b++) {
            int n = length.applyAsInt(b);
            if (n < 1) {
                throw new IllegalArgumentException(name + "[" + b + "]: expected a sequence of at least one step but got "
                        + (n < 0 ? "null" : "an empty one"));
            }
            if (n != seq) {
                throw new IllegalArgumentException(name + "[" + b + "]: all sequences of a batch need the same length;"
                        + " sequence 0 has " + seq + " steps but sequence " + b + " has " + n);
            }
        }
        return seq;
    }

    void requireInput(boolean tokens) {
        if (tokens != info.isTokenInput()) {
            throw new UnsupportedOperationException(tokens
                    ? "this model reads features (" + info.inputSize() + " per step), not token ids; pass float[] features"
                    : "this model reads token ids, not features; pass token ids");
        }
    }

    /** Checks one step's feature vector: not null, F values, all finite. */
    static void checkFeatures(float[] row, int f, String where) {
        if (row == null) {
            throw new IllegalArgumentException(where + ": expected " + f + " features but got null");
        }
        if (row.length != f) {
            throw new IllegalArgumentException(where + ": expected " + f + " features but got " + row.length);
        }
        for (int i = 0; i < f; i++) {
            if (!Float.isFinite(row[i])) {
                throw new IllegalArgumentException(where + "[" + i + "]: features must be finite but got " + row[i]);
            }
        }
    }

    private float[] initialState(float[] given, int batch, String name) {
        int size = info.stateRows() * batch * info.hiddenSize();
        if (given == null) {
            return new float[size];
        }
        if (given.length != size) {
            throw new IllegalArgumentException(name + ": expected " + size + " values ([" + info.stateRows() + ", "
                    + batch + ", " + info.hiddenSize() + "]) but got " + given.length);
        }
        for (int i = 0; i < size; i++) {
            if (!Float.isFinite(given[i])) {
                throw new IllegalArgumentException(name + "[" + i + "]: state must be finite but got " + given[i]);
            }
        }
        return given;
    }

    private BatchResult run(int batch, int seq, java.nio.Buffer input, long[] inputShape, float[] h0, float[] c0) {
        float[] h = initialState(h0, batch, "h0");
        float[] c = null;
        if (info.hasCellState()) {
            c = initialState(c0, batch, "c0");
        } else if (c0 != null) {
            throw new IllegalArgumentException("c0: this " + info.cell() + " model has no cell state; pass null");
        }
        long[] stateShape = {info.stateRows(), batch, info.hiddenSize()};
        lock.readLock().lock();
        List<OnnxTensor> tensors = new ArrayList<>(3);
        try {
            checkClosed();
            Map<String, OnnxTensor> feeds = new HashMap<>();
            feeds.put(info.inputName(), track(tensors, createInput(input, inputShape)));
            feeds.put(info.stateInputs().get(0), track(tensors, OnnxTensor.createTensor(env, FloatBuffer.wrap(h),
                    stateShape)));
            if (c != null) {
                feeds.put(info.stateInputs().get(1), track(tensors, OnnxTensor.createTensor(env, FloatBuffer.wrap(c),
                        stateShape)));
            }
            try (OrtSession.Result result = session.run(feeds)) {
                OnnxTensor out = (OnnxTensor) result.get(info.outputName()).orElseThrow();
                float[] output = toArray(out.getFloatBuffer());
                long[] outputShape = out.getInfo().getShape();
                if (!batchFirst && outputShape.length == 3) {
                    output = swapFirstAxes(output, (int) outputShape[0], (int) outputShape[1], (int) outputShape[2]);
                    outputShape = new long[] {outputShape[1], outputShape[0], outputShape[2]};
                }
                float[] hn = stateOutput(result, 0);
                float[] cn = info.hasCellState() ? stateOutput(result, 1) : null;
                return new BatchResult(output, outputShape, hn, cn, stateShape);
            }
        } catch (OrtException e) {
            throw new StepwiseException(source + ": ONNX Runtime failed to run the model: " + e.getMessage(), e);
        } finally {
            tensors.forEach(OnnxTensor::close);
            lock.readLock().unlock();
        }
    }

    private float[] stateOutput(OrtSession.Result result, int index) {
        OnnxValue v = result.get(info.stateOutputs().get(index)).orElseThrow();
        return toArray(((OnnxTensor) v).getFloatBuffer());
    }

    private static OnnxTensor track(List<OnnxTensor> tensors, OnnxTensor t) {
        tensors.add(t);
        return t;
    }

    OnnxTensor createInput(java.nio.Buffer input, long[] shape) throws OrtException {
        if (input instanceof LongBuffer l) {
            return OnnxTensor.createTensor(env, l, shape);
        }
        if (input instanceof IntBuffer i) {
            return OnnxTensor.createTensor(env, i, shape);
        }
        return OnnxTensor.createTensor(env, (FloatBuffer) input, shape);
    }

    static float[] toArray(FloatBuffer buffer) {
        float[] a = new float[buffer.remaining()];
        buffer.get(a);
        return a;
    }

    /** [a, b, w] → [b, a, w]. */
    static float[] swapFirstAxes(float[] x, int a, int b, int w) {
        float[] y = new float[x.length];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(x, (i * b + j) * w, y, (j * a + i) * w, w);
            }
        }
        return y;
    }

    // ---------------------------------------------------------------- plumbing for StepSession

    OrtEnvironment environment() {
        return env;
    }

    OrtSession ortSession() {
        return session;
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

    void unregister(StepSession s) {
        sessions.remove(s);
    }

    /** Number of sessions not yet closed. */
    public int openSessions() {
        return sessions.size();
    }

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
            for (StepSession s : sessions) {
                s.releaseBecauseModelClosed();
            }
            sessions.clear();
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
