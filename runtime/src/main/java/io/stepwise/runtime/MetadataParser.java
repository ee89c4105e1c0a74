package io.stepwise.runtime;

import io.stepwise.runtime.ModelFormat.Cell;
import io.stepwise.runtime.ModelFormat.Head;
import io.stepwise.runtime.ModelFormat.InputKind;
import io.stepwise.runtime.ModelFormat.Task;
import io.stepwise.runtime.ModelFormat.TokenUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Reads a model's {@code metadata_props} into a {@link ModelInfo}: the structural keys of a Stepwise file
 * ({@link #fromStepwiseMetadata}) and the task-level keys that signature-bound files may carry too
 * ({@link #readTaskKeys}). Every error is an {@link IllegalArgumentException} naming the key and what is wrong.
 */
final class MetadataParser {
    /** The wire names of {@code io.stepwise.runtime.forecast.Frequency} (kept equal by its test). */
    static final List<String> FREQUENCIES = List.of("daily", "weekly", "monthly", "quarterly", "yearly");

    private MetadataParser() {
    }

    /**
     * Reads a Stepwise file's metadata (formats {@value ModelFormat#OLDEST_VERSION} to {@value ModelFormat#VERSION}).
     *
     * @throws IllegalArgumentException naming the missing or malformed key
     */
    static ModelInfo fromStepwiseMetadata(Map<String, String> meta) {
        ModelInfoBuilder b = new ModelInfoBuilder();
        int format = integer(meta, ModelFormat.FORMAT);
        if (format < ModelFormat.OLDEST_VERSION || format > ModelFormat.VERSION) {
            throw new IllegalArgumentException(ModelFormat.FORMAT + ": this runtime reads formats "
                    + ModelFormat.OLDEST_VERSION + " to " + ModelFormat.VERSION + " but the file is format " + format
                    + (format > ModelFormat.VERSION ? "; upgrade stepwise-runtime" : ""));
        }
        b.formatVersion = format;
        b.cell = oneOf(meta, ModelFormat.CELL, Cell.values(), Cell::wireName, Cell::inFiles, Cell::fromWireName);
        b.layers = positive(meta, ModelFormat.LAYERS);
        b.hiddenSize = positive(meta, ModelFormat.HIDDEN_SIZE);
        b.bidirectional = bool(meta, ModelFormat.BIDIRECTIONAL);
        b.inputKind = oneOf(meta, ModelFormat.INPUT_KIND, InputKind.values(), InputKind::wireName, k -> true,
                InputKind::fromWireName);
        b.inputSize = positive(meta, ModelFormat.INPUT_SIZE);
        b.embeddingSize = b.inputKind == InputKind.TOKENS ? positive(meta, ModelFormat.EMBEDDING_SIZE) : 0;
        b.head = oneOf(meta, ModelFormat.HEAD, Head.values(), Head::wireName, h -> true, Head::fromWireName);
        b.outputSize = positive(meta, ModelFormat.OUTPUT_SIZE);
        b.inputName = required(meta, ModelFormat.INPUT_NAME);
        b.outputName = required(meta, ModelFormat.OUTPUT_NAME);
        b.stateInputs = stringList(meta, ModelFormat.STATE_INPUTS);
        b.stateOutputs = stringList(meta, ModelFormat.STATE_OUTPUTS);
        int expectedStates = b.cell.hasCellState() ? 2 : 1;
        if (b.stateInputs.size() != expectedStates || b.stateOutputs.size() != expectedStates) {
            throw new IllegalArgumentException(ModelFormat.STATE_INPUTS + "/" + ModelFormat.STATE_OUTPUTS + ": a "
                    + b.cell + " model has " + expectedStates + " state(s) but the metadata lists " + b.stateInputs
                    + " and " + b.stateOutputs);
        }
        if (b.bidirectional && b.head == Head.PER_STEP) {
            throw new IllegalArgumentException(ModelFormat.HEAD
                    + ": a bidirectional model needs head=final_state but has per_step");
        }
        readTaskKeys(meta, b);
        return b.build();
    }

    /**
     * Fills the task-level keys (shared by Stepwise files and signature-bound files that carry them) and keeps
     * {@code meta} as the info's raw metadata.
     *
     * @throws IllegalArgumentException naming the key and the problem
     */
    static void readTaskKeys(Map<String, String> meta, ModelInfoBuilder b) {
        b.metadata = meta;
        if (meta.containsKey(ModelFormat.TASK)) {
            b.task = oneOf(meta, ModelFormat.TASK, Task.values(), Task::wireName, Task::inFiles, Task::fromWireName);
        }
        if (meta.containsKey(ModelFormat.VOCABULARY)) {
            b.vocabulary = stringList(meta, ModelFormat.VOCABULARY);
        }
        if (meta.containsKey(ModelFormat.UNKNOWN_TOKEN)) {
            int u = integer(meta, ModelFormat.UNKNOWN_TOKEN);
            if (u < 0) {
                throw new IllegalArgumentException(ModelFormat.UNKNOWN_TOKEN + ": expected a token id ≥ 0 but got " + u);
            }
            b.unknownToken = OptionalInt.of(u);
        }
        if (meta.containsKey(ModelFormat.LABELS)) {
            b.labels = stringList(meta, ModelFormat.LABELS);
        }
        if (meta.containsKey(ModelFormat.FEATURE_NAMES)) {
            b.featureNames = stringList(meta, ModelFormat.FEATURE_NAMES);
        }
        if (meta.containsKey(ModelFormat.TARGET_NAMES)) {
            b.targetNames = stringList(meta, ModelFormat.TARGET_NAMES);
        }
        if (meta.containsKey(ModelFormat.SCALING)) {
            b.scaling = scaling(object(meta, ModelFormat.SCALING));
        }
        if (meta.containsKey(ModelFormat.FORECAST)) {
            b.forecast = object(meta, ModelFormat.FORECAST);
        }
        if (meta.containsKey(ModelFormat.FREQUENCY)) {
            String f = meta.get(ModelFormat.FREQUENCY).trim();
            if (!FREQUENCIES.contains(f)) {
                throw new IllegalArgumentException(ModelFormat.FREQUENCY + ": expected one of " + FREQUENCIES
                        + " but got '" + f + "'");
            }
            b.frequency = f;
        }
        if (meta.containsKey(ModelFormat.INTERVALS)) {
            b.intervals = object(meta, ModelFormat.INTERVALS);
        }
        if (meta.containsKey(ModelFormat.SERIES)) {
            b.series = object(meta, ModelFormat.SERIES);
        }
        if (meta.containsKey(ModelFormat.TRAINING)) {
            b.training = object(meta, ModelFormat.TRAINING);
        }
        if (meta.containsKey(ModelFormat.METRICS)) {
            Map<String, Double> m = new LinkedHashMap<>();
            object(meta, ModelFormat.METRICS).forEach((k, v) -> {
                if (!(v instanceof Number n)) {
                    throw new IllegalArgumentException(ModelFormat.METRICS + ": '" + k + "' should be a number but is "
                            + v);
                }
                m.put(k, n.doubleValue());
            });
            b.metrics = m;
        }
        if (meta.containsKey(ModelFormat.PARITY)) {
            Map<String, Object> m = object(meta, ModelFormat.PARITY);
            b.parity = new ModelInfo.Parity(number(m.get("max_abs_diff"), ModelFormat.PARITY + ".max_abs_diff"),
                    number(m.get("tolerance"), ModelFormat.PARITY + ".tolerance"),
                    (int) number(m.get("cases"), ModelFormat.PARITY + ".cases"));
        }
        if (meta.containsKey(ModelFormat.TOKEN_UNIT)) {
            b.tokenUnit = oneOf(meta, ModelFormat.TOKEN_UNIT, TokenUnit.values(), TokenUnit::wireName, u -> true,
                    TokenUnit::fromWireName);
        }
        if (meta.containsKey(ModelFormat.BASELINE)) {
            b.baseline = baseline(object(meta, ModelFormat.BASELINE));
        }
    }

    private static ModelInfo.Baseline baseline(Map<String, Object> m) {
        String key = ModelFormat.BASELINE;
        String outcome = text(m.get("outcome"), key + ".outcome");
        if (!List.of("beats", "ties", "loses", "unknown").contains(outcome)) {
            throw new IllegalArgumentException(key + ".outcome: expected one of [beats, loses, ties, unknown] but got '"
                    + outcome + "'");
        }
        return new ModelInfo.Baseline(text(m.get("metric"), key + ".metric"), optionalNumber(m.get("value"),
                key + ".value"), text(m.get("baseline"), key + ".baseline"),
                optionalNumber(m.get("baseline_value"), key + ".baseline_value"), outcome,
                text(m.get("verdict"), key + ".verdict"));
    }

    private static String text(Object v, String name) {
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(name + ": expected a string but got " + v);
        }
        return s;
    }

    private static double optionalNumber(Object v, String name) {
        return v == null ? Double.NaN : number(v, name);
    }

    private static ModelInfo.Scaling scaling(Map<String, Object> s) {
        double[] mean = numbers(s.get("mean"), ModelFormat.SCALING + ".mean");
        double[] std = numbers(s.get("std"), ModelFormat.SCALING + ".std");
        if (mean.length != std.length) {
            throw new IllegalArgumentException(ModelFormat.SCALING + ": mean has " + mean.length
                    + " entries but std has " + std.length);
        }
        for (int i = 0; i < std.length; i++) {
            if (!(std[i] > 0) || !Double.isFinite(std[i]) || !Double.isFinite(mean[i])) {
                throw new IllegalArgumentException(ModelFormat.SCALING + ": feature " + i + " has mean " + mean[i]
                        + " and std " + std[i] + "; expected finite values and std > 0");
            }
        }
        return new ModelInfo.Scaling(mean, std);
    }

    /** Parses {@code value}, stored under {@code key}, as a JSON object. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String key, String value) {
        if (!(json(key, value) instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(key + ": expected a JSON object");
        }
        return (Map<String, Object>) map;
    }

    private static String required(Map<String, String> meta, String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + ": required but missing");
        }
        return v;
    }

    private static <E> E oneOf(Map<String, String> meta, String key, E[] values, Function<E, String> wireName,
                               Predicate<E> inFiles, Function<String, Optional<E>> parse) {
        String v = required(meta, key);
        return parse.apply(v).orElseThrow(() -> new IllegalArgumentException(key + ": expected one of "
                + ModelFormat.wireNames(values, wireName, inFiles) + " but got '" + v + "'"));
    }

    private static int integer(Map<String, String> meta, String key) {
        String v = required(meta, key);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": expected an integer but got '" + v + "'");
        }
    }

    private static int positive(Map<String, String> meta, String key) {
        int v = integer(meta, key);
        if (v < 1) {
            throw new IllegalArgumentException(key + ": expected a positive integer but got " + v);
        }
        return v;
    }

    private static boolean bool(Map<String, String> meta, String key) {
        String v = required(meta, key);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new IllegalArgumentException(key + ": expected true or false but got '" + v + "'");
    }

    private static Object json(String key, String value) {
        try {
            return JsonReader.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static List<String> stringList(Map<String, String> meta, String key) {
        if (!(json(key, required(meta, key)) instanceof List<?> list)) {
            throw new IllegalArgumentException(key + ": expected a JSON array of strings");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new IllegalArgumentException(key + ": entry " + i + " should be a string but is " + list.get(i));
            }
            out.add(s);
        }
        return out;
    }

    private static Map<String, Object> object(Map<String, String> meta, String key) {
        return object(key, required(meta, key));
    }

    private static double number(Object v, String name) {
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(name + ": expected a number but got " + v);
        }
        return n.doubleValue();
    }

    private static double[] numbers(Object v, String name) {
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(name + ": expected a non-empty JSON array of numbers but got " + v);
        }
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(list.get(i), name + "[" + i + "]");
        }
        return out;
    }
}
