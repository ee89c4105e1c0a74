package io.stepwise.conversion;

import io.stepwise.conversion.onnx.OnnxProto.GraphProto;
import io.stepwise.conversion.onnx.OnnxProto.TensorProto;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a graph's weights that {@link OnnxExporter} records under {@link MetadataKeys#WEIGHTS_SHA256} and
 * the runtime verifies before ONNX Runtime reads the file (docs/model-format.md, "Weights checksum"): for each
 * initializer of the graph, in order, the UTF-8 name and a zero byte, the data type (u32), the rank (u32) and each
 * dimension (i64), then the raw data's length (i64) and bytes — all big-endian. Because the fingerprint of a loaded
 * model includes this digest, it also tells two models of the same architecture apart.
 */
public final class WeightsChecksum {
    private WeightsChecksum() {
    }

    /**
     * The hex SHA-256 of {@code graph}'s initializers.
     *
     * @throws IllegalArgumentException when an initializer keeps its data outside {@code raw_data} (the exporter
     *                                  never writes such tensors), naming it
     */
    public static String of(GraphProto graph) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer scratch = ByteBuffer.allocate(16);
        for (TensorProto t : graph.getInitializerList()) {
            boolean typed = t.getFloatDataCount() + t.getInt32DataCount() + t.getInt64DataCount()
                    + t.getDoubleDataCount() + t.getUint64DataCount() + t.getStringDataCount() > 0;
            if (typed || t.getExternalDataCount() > 0) {
                throw new IllegalArgumentException("initializer '" + t.getName() + "': the weights checksum covers"
                        + " tensors stored in raw_data only");
            }
            sha.update(t.getName().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(scratch.clear().putInt(t.getDataType()).putInt(t.getDimsCount()).array(), 0, 8);
            for (long d : t.getDimsList()) {
                sha.update(scratch.clear().putLong(d).array(), 0, 8);
            }
            sha.update(scratch.clear().putLong(t.getRawData().size()).array(), 0, 8);
            sha.update(t.getRawData().asReadOnlyByteBuffer());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
