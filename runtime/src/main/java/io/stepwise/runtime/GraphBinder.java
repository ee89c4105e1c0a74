package io.stepwise.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.stepwise.runtime.ModelFormat.Cell;
import io.stepwise.runtime.ModelFormat.Head;
import io.stepwise.runtime.ModelFormat.InputKind;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Binds a loaded graph: matches its inputs and outputs against the Stepwise metadata ({@link #bindStepwise}) or a
 * {@link ModelSignature} ({@link #bindSignature}) and works out what running it needs — the {@link ModelInfo},
 * the token element type and whether the sequence axes are batch-first. Errors are
 * {@link IllegalArgumentException}s naming the graph value and the mismatch; the loader turns them into
 * {@link StepwiseException}s.
 */
final class GraphBinder {

    /**
     * What running a bound graph needs.
     *
     * @param info       the model's description
     * @param tokenType  INT64 or INT32 for token input (INT64 for feature input, unused)
     * @param batchFirst whether input and output are [batch, sequence, ...]
     */
    record Binding(ModelInfo info, OnnxJavaType tokenType, boolean batchFirst) {
    }

    private GraphBinder() {
    }

    /** Binds a Stepwise file by its metadata; the graph must match it. */
    static Binding bindStepwise(OrtSession session, Map<String, String> metadata) throws OrtException {
        if (!metadata.containsKey(ModelFormat.FORMAT)) {
            throw new IllegalArgumentException("the model has no Stepwise metadata (" + ModelFormat.FORMAT
                    + ") and no signature was given. To run a recurrent ONNX model from another tool, bind it with"
                    + " RecurrentModel.load(path, ModelSignature.builder().input(..).output(..).state(..).build());"
                    + " graph inputs " + session.getInputNames() + ", outputs " + session.getOutputNames());
        }
        ModelInfo info = MetadataParser.fromStepwiseMetadata(metadata);
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

    /**
     * Binds any recurrent graph by a signature: sizes come from the graph, the cell from its recurrent operator
     * ({@code operatorTypes}, from the loader's scan), task-level facts from Stepwise metadata when present, else
     * from the signature.
     */
    static Binding bindSignature(OrtSession session, ModelSignature sig, Set<String> operatorTypes,
                                 Map<String, String> metadata) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        ModelInfoBuilder b = new ModelInfoBuilder();
        TensorInfo in = tensor(inputs, sig.input(), "input");
        OnnxJavaType tokenType = OnnxJavaType.INT64;
        long[] inShape = in.getShape();
        if (in.type == OnnxJavaType.INT64 || in.type == OnnxJavaType.INT32) {
            if (inShape.length != 2) {
                throw new IllegalArgumentException("signature input '" + sig.input() + "' holds token ids, so it must"
                        + " be 2-D [batch, sequence] but has shape " + Arrays.toString(inShape));
            }
            b.inputKind = InputKind.TOKENS;
            tokenType = in.type;
            b.inputSize = sig.vocabularySize().orElse(0);
        } else if (in.type == OnnxJavaType.FLOAT) {
            if (inShape.length != 3 || inShape[2] < 1) {
                throw new IllegalArgumentException("signature input '" + sig.input() + "' holds features, so it must"
                        + " be 3-D with a fixed feature count but has shape " + Arrays.toString(inShape));
            }
            b.inputKind = InputKind.FEATURES;
            b.inputSize = (int) inShape[2];
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
        b.bidirectional = sig.bidirectional();
        if (b.bidirectional && rows % 2 != 0) {
            throw new IllegalArgumentException("state input '" + sig.stateInputs().get(0) + "' has " + rows
                    + " rows, which cannot be layers × 2 directions");
        }
        b.layers = b.bidirectional ? rows / 2 : rows;
        b.hiddenSize = (int) hShape[2];
        for (String s : sig.stateInputs()) {
            checkState(tensor(inputs, s, "state input"), s, rows, b.hiddenSize);
        }
        for (String s : sig.stateOutputs()) {
            checkState(tensor(outputs, s, "state output"), s, rows, b.hiddenSize);
        }
        TensorInfo out = tensor(outputs, sig.output(), "output");
        long[] outShape = out.getShape();
        if ((outShape.length != 2 && outShape.length != 3) || outShape[outShape.length - 1] < 1) {
            throw new IllegalArgumentException("signature output '" + sig.output() + "' must be [batch, sequence, O]"
                    + " or [batch, O] with a fixed O but has shape " + Arrays.toString(outShape));
        }
        b.head = outShape.length == 3 ? Head.PER_STEP : Head.FINAL_STATE;
        b.outputSize = (int) outShape[outShape.length - 1];
        b.cell = operatorTypes.contains("LSTM") ? Cell.LSTM : operatorTypes.contains("GRU") ? Cell.GRU
                : operatorTypes.contains("RNN") ? Cell.RNN : Cell.UNKNOWN;
        if ((b.cell == Cell.LSTM) != (sig.stateInputs().size() == 2) && b.cell != Cell.UNKNOWN) {
            throw new IllegalArgumentException("the graph's recurrent operator is " + b.cell + " but the signature"
                    + " names " + sig.stateInputs().size() + " state pair(s); an LSTM needs two (h, c), GRU/RNN one");
        }
        b.inputName = sig.input();
        b.outputName = sig.output();
        b.stateInputs = sig.stateInputs();
        b.stateOutputs = sig.stateOutputs();
        MetadataParser.readTaskKeys(metadata, b);
        if (!sig.vocabulary().isEmpty()) {
            b.vocabulary = sig.vocabulary();
        }
        if (b.inputSize == 0 && b.inputKind == InputKind.TOKENS && !b.vocabulary.isEmpty()) {
            b.inputSize = b.vocabulary.size();
        }
        sig.task().ifPresent(t -> b.task = t);
        return new Binding(b.build(), tokenType, sig.batchFirst());
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
        if (t.type != OnnxJavaType.FLOAT || s.length != 3 || (s[0] > 0 && s[0] != rows)
                || (s[2] > 0 && s[2] != hidden)) {
            throw new IllegalArgumentException("state '" + name + "' should be float [" + rows + ", batch, " + hidden
                    + "] but is " + t.type + " " + Arrays.toString(s));
        }
    }
}
