package io.stepwise.training.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.stepwise.training.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code metrics.json}, the per-epoch record of a run: a JSON array with one object per completed epoch, keys
 * {@code epoch} (0-based), {@code train_loss}, {@code learning_rate}, {@code seconds}, {@code samples_per_second},
 * then the validation metrics by name, then {@code improved}. Rewritten (atomically) after every epoch; read back
 * when a run stopped by a time limit is exported.
 */
public final class MetricsFile {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting()
            .create();
    private static final Set<String> FIXED_KEYS = Set.of("epoch", "train_loss", "learning_rate", "seconds",
            "samples_per_second", "improved");

    private MetricsFile() {
    }

    /** Writes {@code history} to {@code file} atomically. */
    public static void write(Path file, List<EpochRecord> history) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EpochRecord r : history) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", r.epoch());
            row.put("train_loss", r.trainLoss());
            row.put("learning_rate", r.learningRate());
            row.put("seconds", r.seconds());
            row.put("samples_per_second", r.samplesPerSecond());
            row.putAll(r.validation());
            row.put("improved", r.improved());
            rows.add(row);
        }
        AtomicFiles.writeString(file, GSON.toJson(rows) + "\n");
    }

    /**
     * Reads a file written by {@link #write}; every other numeric key of an epoch is a validation metric.
     *
     * @throws IOException when the file cannot be read or is not a metrics file (naming the file)
     */
    public static List<EpochRecord> read(Path file) throws IOException {
        try {
            JsonArray rows = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), JsonArray.class);
            if (rows == null) {
                throw new JsonParseException("empty file");
            }
            List<EpochRecord> history = new ArrayList<>();
            for (JsonElement e : rows) {
                JsonObject row = e.getAsJsonObject();
                Map<String, Double> validation = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> entry : row.entrySet()) {
                    if (!FIXED_KEYS.contains(entry.getKey()) && entry.getValue().isJsonPrimitive()
                            && entry.getValue().getAsJsonPrimitive().isNumber()) {
                        validation.put(entry.getKey(), entry.getValue().getAsDouble());
                    }
                }
                history.add(new EpochRecord(required(row, "epoch").getAsInt(),
                        required(row, "train_loss").getAsDouble(), required(row, "learning_rate").getAsDouble(),
                        required(row, "seconds").getAsDouble(), required(row, "samples_per_second").getAsDouble(),
                        validation, required(row, "improved").getAsBoolean()));
            }
            return history;
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException
                 | NumberFormatException e) {
            throw new IOException("metrics: " + file + " is not a metrics.json file (" + e.getMessage() + ")", e);
        }
    }

    private static JsonElement required(JsonObject row, String key) {
        JsonElement value = row.get(key);
        if (value == null) {
            throw new JsonParseException("an epoch lacks '" + key + "'");
        }
        return value;
    }
}
