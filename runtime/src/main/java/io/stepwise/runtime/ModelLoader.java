package io.stepwise.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Loads a model: reads its bytes, vets them, lets ONNX Runtime create the session, and binds the graph. This is
 * the security-sensitive entry point of the runtime, run once per model.
 *
 * <p>{@link #vet} is the one method where every check happens before ONNX Runtime sees a model: the structural
 * validator ({@link OnnxModelValidator}) and the wire scan with its external-data checks. Models on disk are vetted
 * through a read-only memory map (no copy of the weights on the Java heap: the validator and the scanner read the
 * map in place) and then opened by ONNX Runtime from their path, so that the process holds ONNX Runtime's copy of
 * the weights only; afterwards the file is checked to be the one that was vetted (same size, modification time,
 * file key and CRC-32C), and a file replaced or rewritten in between is refused.
 */
final class ModelLoader {
    private static final int READ_BUFFER = 1 << 16;

    private ModelLoader() {
    }

    /** What vetting learned about the bytes, and the checksum that ties them to the file ORT reads later. */
    private record Vetted(Vetting vetting, long checksum) {
    }

    /**
     * What {@link #vet} learned: the wire scan's findings and the weights' digest, verified or not against the
     * recorded checksum.
     */
    record Vetting(OnnxWireScanner.Scan scan, String weightsDigest, boolean weightsVerified) {
    }

    /** The facts that change when a file is rewritten or replaced. */
    record FileIdentity(long size, long modified, Object fileKey) {
        static FileIdentity of(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileIdentity(a.size(), a.lastModifiedTime().toMillis(), a.fileKey());
        }
    }

    /**
     * Every check made before ONNX Runtime sees a model, for every load path (file, bytes, classpath resource):
     * <ol>
     *   <li>{@link OnnxModelValidator} with {@code limits}: tensors hold the data their type and shape declare,
     *       sizes, metadata and shape constants stay within {@link ModelLimits}; a model loaded without a signature
     *       must be exactly what the Stepwise exporter writes ({@link OnnxModelValidator.Format#STEPWISE}), one
     *       bound by a signature may use only the allowed operators ({@link OnnxModelValidator.Format#FOREIGN});</li>
     *   <li>{@link OnnxWireScanner}: the bytes are a well-formed ONNX {@code ModelProto} (protobuf wire format, an
     *       IR version and a graph), and every tensor stored as external data lies in the model file's folder or
     *       below — or, for a model in memory, there is none;</li>
     *   <li>{@link WeightsDigest}: the SHA-256 of the weights (external data included) equals the checksum the
     *       exporter recorded ({@value ModelFormat#WEIGHTS_SHA256}); a model without one loads unverified, or is
     *       refused when {@code requireChecksum}.</li>
     * </ol>
     *
     * @param model     the model's bytes from the buffer's position to its limit (a file's read-only memory map)
     * @param signature null for a Stepwise file
     * @param requireChecksum whether a model without a recorded weights checksum is refused
     * @return the scan's findings (external locations, operator types) and the weights' digest
     * @throws ModelValidationException naming the origin, the tensor, node or key and what differs (for a weights
     *                                  checksum: the expected and the actual digest)
     * @throws StepwiseException        naming the origin and the reason, for the scanner's and external data's
     *                                  refusals
     */
    static Vetting vet(ByteBuffer model, ModelOrigin origin, ModelSignature signature, ModelLimits limits,
                       boolean requireChecksum) {
        OnnxModelValidator.Result result;
        try {
            result = OnnxModelValidator.validate(model, limits, signature == null
                    ? OnnxModelValidator.Format.STEPWISE : OnnxModelValidator.Format.FOREIGN);
        } catch (ModelValidationException e) {
            throw origin.invalid(e);
        }
        OnnxWireScanner.Scan scan;
        try {
            scan = OnnxWireScanner.scan(model);
        } catch (IllegalArgumentException e) {
            throw origin.error("not a valid ONNX model (" + e.getMessage() + "); the file may be truncated, corrupt,"
                    + " or not a model at all", null);
        }
        if (!scan.externalLocations().isEmpty()) {
            if (origin.file().isEmpty()) {
                throw origin.error("the model stores tensors as external data " + scan.externalLocations()
                        + "; a model loaded from memory must be self-contained; load it from its file instead", null);
            }
            checkExternalData(origin.file().get(), scan.externalLocations());
        }
        try {
            String digest = WeightsDigest.of(model, limits, origin.file()
                    .map(f -> f.toAbsolutePath().normalize().getParent()).orElse(null));
            return new Vetting(scan, digest, WeightsDigest.verify(result.metadata(), digest, requireChecksum));
        } catch (ModelValidationException e) {
            throw origin.invalid(e);
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
                    Path resolved = folder.resolve(location).normalize();
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

    /**
     * Loads a model file: reads and vets it, then ONNX Runtime opens it from its path.
     *
     * @param signature null for a Stepwise file
     */
    static RecurrentModel load(Path file, ModelSignature signature, RuntimeOptions options) {
        ModelOrigin origin = ModelOrigin.file(file);
        ModelFiles.requireRegularFile(file);
        FileIdentity before;
        try {
            before = FileIdentity.of(file);
        } catch (NoSuchFileException e) {
            throw new StepwiseException(file, "no such model file", e);
        } catch (IOException e) {
            throw new StepwiseException(file, "cannot read the model file: " + e, e);
        }
        Vetted vetted = readAndVet(file, origin, signature, options);
        RecurrentModel model = open(origin, vetted.vetting(), signature, options,
                (env, so) -> env.createSession(file.toString(), so));
        try {
            checkUnchanged(file, before, vetted.checksum());
        } catch (RuntimeException | Error e) {
            model.close();
            throw e;
        }
        return model;
    }

    /**
     * Maps, vets and checksums the file. The mapping is file-backed page cache, not heap: it is dropped with this
     * method's scope, and the kernel may evict its pages at any time.
     */
    private static Vetted readAndVet(Path file, ModelOrigin origin, ModelSignature signature, RuntimeOptions options) {
        ByteBuffer bytes;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new StepwiseException(file, "the file is " + size + " bytes; an ONNX model file is at most 2 GiB"
                        + " (larger weights go into external data files)", null);
            }
            bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (NoSuchFileException e) {
            throw new StepwiseException(file, "no such model file", e);
        } catch (IOException e) {
            throw new StepwiseException(file, "cannot read the model file: " + e, e);
        }
        try {
            Vetting vetting = vet(bytes, origin, signature, options.modelLimits(), options.requireWeightsChecksum());
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            return new Vetted(vetting, crc.getValue());
        } catch (InternalError e) {
            // The JVM reports a mapped file truncated under it (SIGBUS) as an InternalError.
            throw new StepwiseException(file, "the model file changed while it was being read (" + e.getMessage()
                    + "); load it again once it is written completely (write models atomically)", e);
        }
    }

    /** Refuses a file that changed between vetting (identity {@code before}, content {@code checksum}) and now. */
    static void checkUnchanged(Path file, FileIdentity before, long checksum) {
        String reason;
        try {
            FileIdentity after = FileIdentity.of(file);
            if (!after.equals(before)) {
                reason = "its size, modification time or identity changed (" + before + " → " + after + ")";
            } else {
                CRC32C crc = new CRC32C();
                byte[] buffer = new byte[READ_BUFFER];
                try (InputStream in = Files.newInputStream(file)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        crc.update(buffer, 0, n);
                    }
                }
                reason = crc.getValue() == checksum ? null : "its content changed";
            }
        } catch (IOException e) {
            reason = "it could not be read again (" + e + ")";
        }
        if (reason != null) {
            throw new StepwiseException(file, "the model file changed while it was being loaded: " + reason
                    + "; load it again once it is written completely (write models atomically)", null);
        }
    }

    /**
     * Loads a self-contained model from memory: vetted, then ONNX Runtime parses the bytes.
     *
     * @param signature null for a Stepwise file
     */
    static RecurrentModel fromMemory(byte[] bytes, ModelSignature signature, RuntimeOptions options,
                                     ModelOrigin origin) {
        Vetting vetting = vet(ByteBuffer.wrap(bytes), origin, signature, options.modelLimits(),
                options.requireWeightsChecksum());
        return open(origin, vetting, signature, options, (env, so) -> env.createSession(bytes, so));
    }

    /**
     * The bytes of a classpath resource (the context class loader, else this class's loader); a leading {@code /}
     * is ignored.
     */
    static byte[] readResource(String name, ModelOrigin origin) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null || loader.getResource(name) == null) {
            loader = ModelLoader.class.getClassLoader();
        }
        try (InputStream in = loader.getResourceAsStream(name)) {
            if (in == null) {
                throw new StepwiseException(origin.description() + ": not found");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new StepwiseException(origin.description() + ": cannot be read: " + e, e);
        }
    }

    @FunctionalInterface
    private interface SessionFactory {
        OrtSession create(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException;
    }

    /** ONNX Runtime creates the session; then the graph is bound by metadata or signature. */
    private static RecurrentModel open(ModelOrigin origin, Vetting vetting, ModelSignature signature,
                                       RuntimeOptions options, SessionFactory factory) {
        Objects.requireNonNull(options, "options");
        OnnxWireScanner.Scan scan = vetting.scan();
        OrtEnvironment env = OrtLogging.environment();
        OrtSession session;
        try (OrtSession.SessionOptions so = OrtSessionOptions.create(options, origin.description())) {
            session = factory.create(env, so);
        } catch (OrtException e) {
            throw origin.error("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
        try {
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            GraphBinder.Binding binding = signature != null
                    ? GraphBinder.bindSignature(session, signature, scan.operatorTypes(), metadata)
                    : GraphBinder.bindStepwise(session, metadata);
            ModelInfo info = binding.info().withWeights(vetting.weightsDigest(), vetting.weightsVerified());
            return new RecurrentModel(env, session, new GraphBinder.Binding(info, binding.tokenType(),
                    binding.batchFirst()), origin.description(), options);
        } catch (IllegalArgumentException | OrtException e) {
            closeQuietly(session);
            throw origin.error(e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // Already failing; the original error is the one worth reporting.
        }
    }
}
