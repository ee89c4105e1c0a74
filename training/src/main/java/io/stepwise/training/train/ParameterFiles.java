package io.stepwise.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import io.stepwise.training.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saves and restores a block's parameter values by name. Loading copies values into the block's existing
 * parameter arrays (array identity and the "requires gradient" flag are kept, unlike DJL's
 * {@code Block.loadParameters}, which replaces the arrays and drops that flag).
 */
public final class ParameterFiles {
    private static final int MAGIC = 0x53575041; // "SWPA"
    private static final int VERSION = 1;

    private ParameterFiles() {
    }

    /** Writes the parameters of {@code block} to {@code file} atomically. */
    public static void save(Block block, Path file) throws IOException {
        AtomicFiles.write(file, out -> write(block, new DataOutputStream(out)));
    }

    /**
     * Loads {@code file} into {@code block}, which must already be initialised with the same structure.
     *
     * @throws IOException naming the first missing, extra or mis-shaped parameter
     */
    public static void load(Block block, Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            read(block, new DataInputStream(in));
        }
    }

    static void write(Block block, DataOutputStream out) throws IOException {
        PairList<String, Parameter> parameters = block.getParameters();
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(parameters.size());
        for (Pair<String, Parameter> p : parameters) {
            out.writeUTF(p.getKey());
            byte[] bytes = p.getValue().getArray().encode();
            out.writeInt(bytes.length);
            out.write(bytes);
        }
        out.flush();
    }

    static void read(Block block, DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("parameters: not a Stepwise parameter file");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("parameters: unsupported version " + version + " (expected " + VERSION + ")");
        }
        PairList<String, Parameter> parameters = block.getParameters();
        int count = in.readInt();
        if (count != parameters.size()) {
            throw new IOException("parameters: the file holds " + count + " parameters but the model has "
                    + parameters.size());
        }
        // Read and check everything first, so a bad file leaves the block untouched.
        java.util.List<NDArray> loadedArrays = new java.util.ArrayList<>();
        try {
            for (Pair<String, Parameter> p : parameters) {
                String name = in.readUTF();
                if (!name.equals(p.getKey())) {
                    throw new IOException("parameters: expected " + p.getKey() + " but the file has " + name);
                }
                int length = in.readInt();
                if (length < 0 || length > (1 << 30)) {
                    throw new IOException("parameters: " + name + " has a corrupt length " + length);
                }
                byte[] bytes = in.readNBytes(length);
                if (bytes.length != length) {
                    throw new IOException("parameters: file truncated in " + name);
                }
                NDArray target = p.getValue().getArray();
                NDArray decoded = NDArray.decode(target.getManager(), bytes);
                // The decoded tensor wraps a Java direct buffer that only the decoded NDArray keeps alive; intern()
                // below moves the native handle but not that reference, so the buffer could be garbage-collected
                // under the parameter (garbage weights, NaN after resume). A clone owns its storage.
                NDArray loaded = decoded.duplicate();
                decoded.close();
                loadedArrays.add(loaded);
                if (!loaded.getShape().equals(target.getShape()) || loaded.getDataType() != target.getDataType()) {
                    throw new IOException("parameters: " + name + " is " + loaded.getShape() + " "
                            + loaded.getDataType() + " in the file but " + target.getShape() + " "
                            + target.getDataType() + " in the model");
                }
            }
        } catch (IOException | RuntimeException e) {
            loadedArrays.forEach(NDArray::close);
            throw e;
        }
        int i = 0;
        for (Pair<String, Parameter> p : parameters) {
            NDArray target = p.getValue().getArray();
            // Take over the loaded tensor under the existing array object, so references to it stay valid.
            target.intern(loadedArrays.get(i++));
            if (p.getValue().requiresGradient()) {
                target.setRequiresGradient(true);
            }
        }
    }
}
