package io.stepwise.conversion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The task-level description stored in a model's {@code metadata_props} beside the structural keys that the
 * exporter derives from the {@link NetworkSpec}. Keys ({@link MetadataKeys}) and value formats are listed in
 * docs/model-format.md.
 */
public final class ModelMetadata {
    /** Prefix of every key Stepwise writes (the same as {@link MetadataKeys#PREFIX}). */
    public static final String PREFIX = MetadataKeys.PREFIX;

    private final Map<String, String> properties;
    /** Entry counts of the list-valued keys given, for validation against the spec. */
    private final Map<String, Integer> sizes;

    private ModelMetadata(Map<String, String> properties, Map<String, Integer> sizes) {
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.sizes = Map.copyOf(sizes);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The metadata as ONNX {@code metadata_props} key/value strings, in insertion order. */
    public Map<String, String> toProperties() {
        return properties;
    }

    private static void validate(NetworkSpec spec, Task task, int vocabulary, int labels, int features, int targets,
                  int scaling) {
        if (vocabulary >= 0 && spec.inputKind() == InputKind.TOKENS && vocabulary != spec.inputSize()) {
            throw new IllegalArgumentException("vocabulary: the model embeds " + spec.inputSize()
                    + " tokens but the vocabulary has " + vocabulary + " entries");
        }
        if (labels >= 0 && labels != spec.outputSize()) {
            throw new IllegalArgumentException("labels: the model has " + spec.outputSize()
                    + " outputs but " + labels + " labels were given");
        }
        if (features >= 0 && features != spec.inputSize()) {
            throw new IllegalArgumentException("feature_names: the model reads " + spec.inputSize()
                    + " features but " + features + " names were given");
        }
        if (targets >= 0 && targets != spec.outputSize()) {
            throw new IllegalArgumentException("target_names: the model has " + spec.outputSize()
                    + " outputs but " + targets + " target names were given");
        }
        if (scaling >= 0 && scaling != spec.inputSize()) {
            throw new IllegalArgumentException("scaling: the model reads " + spec.inputSize()
                    + " features but scaling has " + scaling + " entries");
        }
        if (task == Task.CLASSIFIER && spec.head() != HeadKind.FINAL_STATE) {
            throw new IllegalArgumentException("task: a classifier needs head=final_state but got " + spec.head().id());
        }
        if (task != null && task != Task.CLASSIFIER && spec.head() != HeadKind.PER_STEP) {
            throw new IllegalArgumentException("task: a " + task.id() + " needs head=per_step but got "
                    + spec.head().id());
        }
    }

    /**
     * Checks the metadata against the network it will describe: vocabulary size = token input size, label count
     * = output size, one feature name and scaling pair per input feature, a head that fits the task.
     *
     * @throws IllegalArgumentException naming the mismatch
     */
    public void validate(NetworkSpec spec) {
        Objects.requireNonNull(spec, "spec");
        String task = properties.get(MetadataKeys.TASK);
        validate(spec, task == null ? null : Task.fromId(task), size("vocabulary"), size("labels"),
                size("feature_names"), size("target_names"), size("scaling"));
    }

    private int size(String key) {
        return sizes.getOrDefault(key, -1);
    }

    /** Builder; only {@link #setTask(Task)} is required. */
    public static final class Builder {
        private final Map<String, String> props = new LinkedHashMap<>();
        private final Map<String, Integer> sizes = new LinkedHashMap<>();
        private Task task;

        private Builder() {
        }

        public Builder setTask(Task task) {
            this.task = Objects.requireNonNull(task, "task");
            return this;
        }

        /** Token strings, index = token id. For character models, one code point each. */
        public Builder optVocabulary(List<String> vocabulary) {
            List<String> v = nonEmptyDistinct(vocabulary, "vocabulary");
            props.put(MetadataKeys.VOCABULARY, Json.write(v));
            sizes.put("vocabulary", v.size());
            return this;
        }

        /** Token id that stands for anything outside the vocabulary. */
        public Builder optUnknownToken(int id) {
            if (id < 0) {
                throw new IllegalArgumentException("unknown_token: expected a token id ≥ 0 but got " + id);
            }
            props.put(MetadataKeys.UNKNOWN_TOKEN, Integer.toString(id));
            return this;
        }

        public Builder optLabels(List<String> labels) {
            List<String> v = nonEmptyDistinct(labels, "labels");
            props.put(MetadataKeys.LABELS, Json.write(v));
            sizes.put("labels", v.size());
            return this;
        }

        public Builder optFeatureNames(List<String> names) {
            List<String> v = nonEmptyDistinct(names, "feature_names");
            props.put(MetadataKeys.FEATURE_NAMES, Json.write(v));
            sizes.put("feature_names", v.size());
            return this;
        }

        public Builder optTargetNames(List<String> names) {
            List<String> v = nonEmptyDistinct(names, "target_names");
            props.put(MetadataKeys.TARGET_NAMES, Json.write(v));
            sizes.put("target_names", v.size());
            return this;
        }

        /** Per-feature standardisation: model value = (x − mean) / std. */
        public Builder optScaling(double[] mean, double[] std) {
            Objects.requireNonNull(mean, "mean");
            Objects.requireNonNull(std, "std");
            if (mean.length != std.length || mean.length == 0) {
                throw new IllegalArgumentException("scaling: mean and std need the same, non-zero length but have "
                        + mean.length + " and " + std.length);
            }
            for (int i = 0; i < std.length; i++) {
                if (!Double.isFinite(mean[i]) || !Double.isFinite(std[i]) || std[i] <= 0) {
                    throw new IllegalArgumentException("scaling: feature " + i + " has mean " + mean[i] + " and std "
                            + std[i] + "; expected finite values and std > 0");
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", mean.clone());
            m.put("std", std.clone());
            props.put(MetadataKeys.SCALING, Json.write(m));
            sizes.put("scaling", mean.length);
            return this;
        }

        /** Forecaster settings such as window, horizon and season length (JSON object). */
        public Builder optForecast(Map<String, ?> settings) {
            props.put(MetadataKeys.FORECAST, Json.write(Objects.requireNonNull(settings, "settings")));
            return this;
        }

        /** Training provenance: command, data, seed, epochs, versions, date (JSON object). */
        public Builder optTraining(Map<String, ?> provenance) {
            props.put(MetadataKeys.TRAINING, Json.write(Objects.requireNonNull(provenance, "provenance")));
            return this;
        }

        /** Measured metrics, name → number (JSON object). */
        public Builder optMetrics(Map<String, ? extends Number> metrics) {
            props.put(MetadataKeys.METRICS, Json.write(Objects.requireNonNull(metrics, "metrics")));
            return this;
        }

        /** The parity figure of the export: largest absolute difference seen, the tolerance, the cases run. */
        public Builder optParity(double maxAbsDiff, double tolerance, int cases) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("max_abs_diff", maxAbsDiff);
            m.put("tolerance", tolerance);
            m.put("cases", cases);
            props.put(MetadataKeys.PARITY, Json.write(m));
            return this;
        }

        /** What one token id stands for (token-input models); without it, a reader assumes characters. */
        public Builder optTokenUnit(TokenUnit unit) {
            props.put(MetadataKeys.TOKEN_UNIT, Objects.requireNonNull(unit, "unit").id());
            return this;
        }

        /**
         * The verdict on the model against its baseline (JSON object with at least {@code metric}, {@code value},
         * {@code baseline}, {@code baseline_value}, {@code outcome} and the sentence {@code verdict}).
         */
        public Builder optBaseline(Map<String, ?> verdict) {
            Objects.requireNonNull(verdict, "verdict");
            for (String key : List.of("metric", "baseline", "outcome", "verdict")) {
                if (!(verdict.get(key) instanceof String)) {
                    throw new IllegalArgumentException("baseline: expected a string '" + key + "' but got "
                            + verdict.get(key));
                }
            }
            props.put(MetadataKeys.BASELINE, Json.write(verdict));
            return this;
        }

        /** Any other {@code stepwise.*} string; {@code key} may be given with or without the prefix. */
        public Builder optProperty(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            props.put(MetadataKeys.prefixed(key), value);
            return this;
        }

        public ModelMetadata build() {
            if (task == null) {
                throw new IllegalArgumentException("task: required but was not set");
            }
            Map<String, String> all = new LinkedHashMap<>();
            all.put(MetadataKeys.TASK, task.id());
            all.putAll(props);
            return new ModelMetadata(all, sizes);
        }

        private static List<String> nonEmptyDistinct(List<String> values, String name) {
            if (values == null || values.isEmpty()) {
                throw new IllegalArgumentException(name + ": expected at least one entry but got none");
            }
            List<String> copy = new ArrayList<>(values);
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < copy.size(); i++) {
                String s = copy.get(i);
                if (s == null) {
                    throw new IllegalArgumentException(name + ": entry " + i + " is null");
                }
                if (!seen.add(s)) {
                    throw new IllegalArgumentException(name + ": entry " + i + " '" + s + "' appears twice");
                }
            }
            return List.copyOf(copy);
        }
    }
}
