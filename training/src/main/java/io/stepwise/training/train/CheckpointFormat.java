package io.stepwise.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import io.stepwise.training.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The checkpoint file {@value Trainer#CHECKPOINT_FILE}: everything {@link Trainer#resume()} needs to continue a
 * run exactly where its last complete epoch ended. A compatibility contract: a run folder written by one Stepwise
 * version must resume with the next, so every change of layout or meaning gets a new {@link #VERSION}, and the
 * readers of all earlier versions stay ({@code CheckpointCompatibilityTest} resumes a committed file of each).
 *
 * <h2>Version 1</h2>
 * Big-endian ({@link DataOutputStream}):
 * <ol>
 *   <li>{@code int} magic {@code 0x53574350} ("SWCP"), {@code int} version {@code 1};</li>
 *   <li>{@code int} n, then n bytes of UTF-8 JSON, the header: {@code config} ({@link TrainerConfig#toMap()}),
 *       {@code model} (the block's {@code toString()}, its structure), {@code next_epoch}, {@code best_epoch},
 *       {@code best_metric}, {@code epochs_without_improvement}, {@code stopped_early}, and {@code history}: one
 *       object per completed epoch with {@code epoch}, {@code trainLoss}, {@code learningRate}, {@code seconds},
 *       {@code samplesPerSecond}, {@code validation} (name → value) and {@code improved};</li>
 *   <li>the parameters, laid out as a {@link ParameterFiles} file;</li>
 *   <li>Adam's state: {@code int} step count, {@code int} count, then per updated parameter in model order its
 *       name ({@code writeUTF}) and its first and second moments, each as {@code int} length and that many bytes
 *       of {@link NDArray#encode()}.</li>
 * </ol>
 *
 * <p>Reading refuses a file whose configuration differs from the run's (naming each difference) or whose model
 * structure, parameter names or shapes differ; those checks come before anything is loaded.
 */
public final class CheckpointFormat {
    /** The first four bytes of every checkpoint, "SWCP". */
    public static final int MAGIC = 0x53574350;
    /** The version this code writes. */
    public static final int VERSION = 1;

    private static final int MAX_HEADER_BYTES = 1 << 28;
    private static final int MAX_ARRAY_BYTES = 1 << 30;
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting()
            .create();

    private CheckpointFormat() {
    }

    /**
     * The format version of a checkpoint file.
     *
     * @throws IOException when the file cannot be read or is not a Stepwise checkpoint
     */
    public static int version(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            return readVersion(in, file);
        }
    }

    /** Writes the checkpoint of {@code state} atomically, in the current {@link #VERSION}. */
    static void write(Path file, TrainerConfig config, Block model, RunState state, AdamOptimizer optimizer)
            throws IOException {
        JsonObject header = new JsonObject();
        header.add("config", GSON.toJsonTree(config.toMap()));
        header.addProperty("model", model.toString());
        header.addProperty("next_epoch", state.nextEpoch);
        header.addProperty("best_epoch", state.bestEpoch);
        header.addProperty("best_metric", state.bestMetric);
        header.addProperty("epochs_without_improvement", state.epochsWithoutImprovement);
        header.addProperty("stopped_early", state.stoppedEarly);
        JsonArray history = new JsonArray();
        state.history.forEach(r -> history.add(epoch(r)));
        header.add("history", history);
        byte[] headerBytes = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, stream -> {
            DataOutputStream out = new DataOutputStream(stream);
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(headerBytes.length);
            out.write(headerBytes);
            ParameterFiles.write(model, out);
            out.writeInt(optimizer.updates());
            out.writeInt(optimizer.size());
            for (int i = 0; i < optimizer.size(); i++) {
                out.writeUTF(optimizer.name(i));
                writeArray(out, optimizer.mean(i));
                writeArray(out, optimizer.variance(i));
            }
            out.flush();
        });
    }

    /**
     * Reads {@code file} into {@code model} and {@code optimizer} and returns the run state it records.
     *
     * @param manager where arrays are decoded before the optimizer takes them over
     * @throws IOException              when the file is not a checkpoint, has an unsupported version or is corrupt
     * @throws IllegalArgumentException when it was made with another configuration or model
     */
    static RunState read(Path file, TrainerConfig config, Block model, AdamOptimizer optimizer, NDManager manager)
            throws IOException {
        try (InputStream stream = new BufferedInputStream(Files.newInputStream(file))) {
            DataInputStream in = new DataInputStream(stream);
            int version = readVersion(in, file);
            return switch (version) {
                case 1 -> readVersion1(in, file, config, model, optimizer, manager);
                default -> throw new IOException("checkpoint: " + file + " has version " + version + "; this "
                        + "Stepwise reads versions 1 to " + VERSION + " (was it written by a newer one?)");
            };
        }
    }

    private static int readVersion(DataInputStream in, Path file) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("checkpoint: " + file + " is not a Stepwise checkpoint");
        }
        return in.readInt();
    }

    private static RunState readVersion1(DataInputStream in, Path file, TrainerConfig config, Block model,
                                         AdamOptimizer optimizer, NDManager manager) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_HEADER_BYTES) {
            throw new IOException("checkpoint: corrupt header length " + length + " in " + file);
        }
        byte[] headerBytes = in.readNBytes(length);
        if (headerBytes.length != length) {
            throw new IOException("checkpoint: " + file + " is truncated in its header");
        }
        RunState state;
        try {
            JsonObject header = GSON.fromJson(new String(headerBytes, StandardCharsets.UTF_8), JsonObject.class);
            if (header == null) {
                throw new JsonParseException("empty header");
            }
            checkConfig(field(header, "config"), config);
            String savedModel = field(header, "model").getAsString();
            if (!savedModel.equals(model.toString())) {
                throw new IllegalArgumentException("model: the checkpoint was made for " + savedModel
                        + " but the model is " + model);
            }
            state = new RunState();
            state.nextEpoch = field(header, "next_epoch").getAsInt();
            state.bestEpoch = field(header, "best_epoch").getAsInt();
            state.bestMetric = field(header, "best_metric").getAsDouble();
            state.epochsWithoutImprovement = field(header, "epochs_without_improvement").getAsInt();
            state.stoppedEarly = field(header, "stopped_early").getAsBoolean();
            for (JsonElement e : field(header, "history").getAsJsonArray()) {
                state.history.add(epoch(e.getAsJsonObject()));
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException
                 | NumberFormatException e) {
            throw new IOException("checkpoint: " + file + " has a corrupt header: " + e.getMessage(), e);
        }
        ParameterFiles.read(model, in);
        int updates = in.readInt();
        int count = in.readInt();
        if (count != optimizer.size()) {
            throw new IOException("optimizer state: expected " + optimizer.size() + " parameters but the checkpoint"
                    + " has " + count);
        }
        List<NDArray> means = new ArrayList<>();
        List<NDArray> variances = new ArrayList<>();
        try (NDManager scratch = manager.newSubManager()) {
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                if (!name.equals(optimizer.name(i))) {
                    throw new IOException("optimizer state: expected parameter " + optimizer.name(i)
                            + " at position " + i + " but the checkpoint has " + name);
                }
                means.add(readArray(in, scratch));
                variances.add(readArray(in, scratch));
            }
            optimizer.restore(updates, means, variances);
        }
        return state;
    }

    /** Refuses a configuration other than the one the checkpoint was made with, naming every difference. */
    private static void checkConfig(JsonElement savedConfig, TrainerConfig config) {
        Map<String, Object> saved = GSON.fromJson(savedConfig, new TypeToken<Map<String, Object>>() { }.getType());
        Map<String, Object> current = GSON.fromJson(GSON.toJsonTree(config.toMap()),
                new TypeToken<Map<String, Object>>() { }.getType());
        if (!current.equals(saved)) {
            List<String> differences = new ArrayList<>();
            for (String key : current.keySet()) {
                if (!Objects.equals(saved.get(key), current.get(key))) {
                    differences.add(key + ": checkpoint " + saved.get(key) + ", now " + current.get(key));
                }
            }
            throw new IllegalArgumentException("config: resume needs the configuration the run started with;"
                    + " differences: " + String.join("; ", differences));
        }
    }

    /** One history entry of the version 1 header. */
    private static JsonObject epoch(EpochRecord r) {
        JsonObject o = new JsonObject();
        o.addProperty("epoch", r.epoch());
        o.addProperty("trainLoss", r.trainLoss());
        o.addProperty("learningRate", r.learningRate());
        o.addProperty("seconds", r.seconds());
        o.addProperty("samplesPerSecond", r.samplesPerSecond());
        JsonObject validation = new JsonObject();
        r.validation().forEach(validation::addProperty);
        o.add("validation", validation);
        o.addProperty("improved", r.improved());
        return o;
    }

    private static EpochRecord epoch(JsonObject o) {
        Map<String, Double> validation = new LinkedHashMap<>();
        field(o, "validation").getAsJsonObject().entrySet()
                .forEach(e -> validation.put(e.getKey(), e.getValue().getAsDouble()));
        return new EpochRecord(field(o, "epoch").getAsInt(), field(o, "trainLoss").getAsDouble(),
                field(o, "learningRate").getAsDouble(), field(o, "seconds").getAsDouble(),
                field(o, "samplesPerSecond").getAsDouble(), validation, field(o, "improved").getAsBoolean());
    }

    private static JsonElement field(JsonObject object, String key) {
        JsonElement value = object == null ? null : object.get(key);
        if (value == null || value.isJsonNull()) {
            throw new JsonParseException("'" + key + "' is missing");
        }
        return value;
    }

    private static void writeArray(DataOutputStream out, NDArray array) throws IOException {
        byte[] bytes = array.encode();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static NDArray readArray(DataInputStream in, NDManager manager) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_ARRAY_BYTES) {
            throw new IOException("optimizer state: corrupt array length " + length);
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new IOException("optimizer state: truncated");
        }
        return NDArray.decode(manager, bytes);
    }
}
