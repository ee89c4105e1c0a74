package io.stepwise.runtime;

import io.stepwise.runtime.OnnxModelParser.Chunk;
import io.stepwise.runtime.OnnxModelParser.Entry;
import io.stepwise.runtime.OnnxModelParser.Graph;
import io.stepwise.runtime.OnnxModelParser.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The SHA-256 of a model's weights, computed from the vetted bytes before ONNX Runtime reads them, and its check
 * against the checksum the exporter recorded ({@value ModelFormat#WEIGHTS_SHA256}). The conversion module's
 * {@code WeightsChecksum} computes the same digest from the protobuf it writes; docs/model-format.md defines it:
 * for each initializer of the main graph, in file order, the UTF-8 name and a zero byte, the data type (u32), the
 * rank (u32) and each dimension (i64), then the raw data's length (i64) and bytes — all big-endian. A tensor
 * stored as external data contributes the same, its bytes read from its file (so moving weights out of the model
 * file keeps the digest); one stored in typed fields instead (never written by the exporter) contributes each
 * field's number (u32), length (i64) and wire bytes after a length of −1.
 *
 * <p>Runs after the validator and the external-data checks: the bytes are well-formed, and external files lie in
 * the model's folder.
 */
final class WeightsDigest {
    private WeightsDigest() {
    }

    /**
     * The hex SHA-256 of the main graph's initializers.
     *
     * @param model  the vetted model bytes
     * @param limits the limits it was vetted with
     * @param folder the model file's folder, for external data; null for a model in memory (which has none)
     * @throws StepwiseException when an external data file cannot be read
     */
    static String of(ByteBuffer model, ModelLimits limits, Path folder) {
        ProtoWire wire = new ProtoWire(model);
        Graph graph = OnnxModelParser.parse(wire, limits).graph();
        MessageDigest sha = sha256();
        ByteBuffer scratch = ByteBuffer.allocate(16);
        for (Tensor t : graph.initializers()) {
            sha.update(t.name().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            update(sha, scratch.clear().putInt(t.dataType()).putInt(t.dims().length));
            for (long d : t.dims()) {
                update(sha, scratch.clear().putLong(d));
            }
            if (t.hasRaw()) {
                update(sha, scratch.clear().putLong(t.rawEnd() - t.rawStart()));
                sha.update(wire.slice(t.rawStart(), t.rawEnd()));
            } else if (!t.externalData().isEmpty() && folder != null) {
                external(sha, scratch, t, folder);
            } else {
                update(sha, scratch.clear().putLong(-1));
                for (Chunk c : t.typed()) {
                    update(sha, scratch.clear().putInt(c.field()).putLong(c.end() - c.start()));
                    sha.update(wire.slice(c.start(), c.end()));
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Hashes an external tensor's bytes as if they were its raw data. */
    private static void external(MessageDigest sha, ByteBuffer scratch, Tensor t, Path folder) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (Entry e : t.externalData()) {
            switch (e.key()) {
                case "location" -> location = e.value();
                case "offset" -> offset = parse(e.value(), t);
                case "length" -> length = parse(e.value(), t);
                default -> {
                    // checksum and other keys do not change the bytes
                }
            }
        }
        if (location == null) {
            throw new ModelValidationException("initializer '" + t.name() + "': external data without a location");
        }
        Path file = folder.resolve(location);
        ModelFiles.requireRegularFile(file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long end = length < 0 ? channel.size() : offset + length;
            if (offset < 0 || end > channel.size() || end < offset) {
                throw new ModelValidationException("initializer '" + t.name() + "': external data [" + offset + ", "
                        + end + ") lies outside " + location + " (" + channel.size() + " bytes)");
            }
            update(sha, scratch.clear().putLong(end - offset));
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
            for (long at = offset; at < end; ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - at));
                int n = channel.read(buffer, at);
                if (n < 0) {
                    throw new IOException("unexpected end of file");
                }
                at += n;
                sha.update(buffer.flip());
            }
        } catch (IOException e) {
            throw new StepwiseException(file, "cannot read external data of initializer '" + t.name() + "': " + e, e);
        }
    }

    private static long parse(String value, Tensor t) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ModelValidationException("initializer '" + t.name() + "': external data offset or length '"
                    + value + "' is not a number");
        }
    }

    private static void update(MessageDigest sha, ByteBuffer scratch) {
        sha.update(scratch.array(), 0, scratch.position());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Checks {@code digest} against the recorded checksum in {@code metadata}.
     *
     * @param require whether a model without a recorded checksum is refused
     * @return whether the weights were verified (false: no checksum recorded, loaded unverified)
     * @throws ModelValidationException naming the expected and the actual digest, or the missing key when required
     */
    static boolean verify(Map<String, String> metadata, String digest, boolean require) {
        String recorded = metadata.get(ModelFormat.WEIGHTS_SHA256);
        if (recorded == null) {
            if (require) {
                throw new ModelValidationException(ModelFormat.WEIGHTS_SHA256 + ": the model records no weights"
                        + " checksum, and RuntimeOptions.requireWeightsChecksum asks for one (its weights hash to "
                        + digest + "); re-export it with this version of Stepwise, or load it without the requirement");
            }
            return false;
        }
        if (!recorded.trim().equalsIgnoreCase(digest)) {
            throw new ModelValidationException(ModelFormat.WEIGHTS_SHA256 + ": expected the weights to hash to "
                    + recorded + " as recorded at export, but they hash to " + digest + "; the weights were changed"
                    + " after export (a corrupt or tampered file)");
        }
        return true;
    }
}
