package io.stepwise.conversion;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a recurrent network as a standard ONNX model: one {@code RNN}/{@code LSTM}/{@code GRU} node per layer,
 * batch-first dynamic axes, explicit state inputs and outputs, and the Stepwise metadata. See
 * docs/model-format.md for the interface and keys.
 *
 * <pre>{@code
 * OnnxExporter exporter = OnnxExporter.builder().build();          // opset 17, IR version 8
 * exporter.write(spec, weights, metadata, Path.of("model.onnx")); // validated, written atomically
 * }</pre>
 */
public final class OnnxExporter {
    /** Default operator set: 17, loadable by ONNX Runtime ≥ 1.13 and most tools. */
    public static final int DEFAULT_OPSET = 17;
    /** Default IR version: 8, matching opset 17. */
    public static final int DEFAULT_IR_VERSION = 8;

    private final int opset;
    private final int irVersion;

    private OnnxExporter(Builder b) {
        this.opset = b.opset;
        this.irVersion = b.irVersion;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int opset() {
        return opset;
    }

    public int irVersion() {
        return irVersion;
    }

    /**
     * Builds the ONNX model.
     *
     * @throws IllegalArgumentException when the weights or metadata do not fit the spec, or a weight is NaN or
     *                                  infinite; the message names the tensor or key
     */
    public io.stepwise.conversion.onnx.OnnxProto.ModelProto toModel(NetworkSpec spec, NetworkWeights weights,
                                                                     ModelMetadata metadata) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The serialized ONNX model; see {@link #toModel}. */
    public byte[] toBytes(NetworkSpec spec, NetworkWeights weights, ModelMetadata metadata) {
        return toModel(spec, weights, metadata).toByteArray();
    }

    /**
     * Validates, builds and writes the model to {@code file} atomically: it is written to a temporary file in the
     * same folder and renamed, so {@code file} is either the old content or the whole new model, never a part.
     */
    public void write(NetworkSpec spec, NetworkWeights weights, ModelMetadata metadata, Path file)
            throws IOException {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Builder; every setting is optional. */
    public static final class Builder {
        private int opset = DEFAULT_OPSET;
        private int irVersion = DEFAULT_IR_VERSION;

        private Builder() {
        }

        /** ONNX default-domain operator set version. */
        public Builder optOpset(int opset) {
            this.opset = opset;
            return this;
        }

        /** ONNX IR version written to the model. */
        public Builder optIrVersion(int irVersion) {
            this.irVersion = irVersion;
            return this;
        }

        public OnnxExporter build() {
            if (opset < 14 || opset > 21) {
                throw new IllegalArgumentException("opset: expected 14..21 but got " + opset);
            }
            if (irVersion < 7 || irVersion > 10) {
                throw new IllegalArgumentException("irVersion: expected 7..10 but got " + irVersion);
            }
            return new OnnxExporter(this);
        }
    }
}
