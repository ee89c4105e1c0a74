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
        if (size("series") >= 0 && size("series") != spec.inputSize()) {
            throw new IllegalArgumentException("series: the model reads " + spec.inputSize()
                    + " features but each series' scaling has " + size("series") + " entries");
        }
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

        /**
         * The series of a global forecaster (one model trained over several series): the series-id column and, per
         * series key, the scaling of each feature (model value = (x − mean) / std), which the runtime uses for the
         * series a forecast is asked for. A model with series normally has no {@link #optScaling global scaling}.
         *
         * @param mean [series][feature]
         * @param std  [series][feature], each &gt; 0
         */
        public Builder optSeries(String column, List<String> keys, double[][] mean, double[][] std) {
            Objects.requireNonNull(column, "column");
            List<String> k = nonEmptyDistinct(keys, "series keys");
            if (mean.length != k.size() || std.length != k.size()) {
                throw new IllegalArgumentException("series: expected one scaling per key (" + k.size() + ") but got "
                        + mean.length + " means and " + std.length + " stds");
            }
            int features = mean[0].length;
            for (int s = 0; s < k.size(); s++) {
                if (mean[s].length != features || std[s].length != features || features == 0) {
                    throw new IllegalArgumentException("series '" + k.get(s) + "': expected " + features
                            + " means and stds but got " + mean[s].length + " and " + std[s].length);
                }
                for (int f = 0; f < features; f++) {
                    if (!Double.isFinite(mean[s][f]) || !Double.isFinite(std[s][f]) || std[s][f] <= 0) {
                        throw new IllegalArgumentException("series '" + k.get(s) + "': feature " + f + " has mean "
                                + mean[s][f] + " and std " + std[s][f] + "; expected finite values and std > 0");
                    }
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("column", column);
            m.put("keys", k);
            m.put("mean", List.of(mean).stream().map(double[]::clone).toList());
            m.put("std", List.of(std).stream().map(double[]::clone).toList());
            props.put(MetadataKeys.SERIES, Json.write(m));
            sizes.put("series", features);
            return this;
        }

        /** Forecaster settings such as window, horizon and season length (JSON object). */
        public Builder optForecast(Map<String, ?> settings) {
            props.put(MetadataKeys.FORECAST, Json.write(Objects.requireNonNull(settings, "settings")));
            return this;
        }

        /** How far apart a forecaster's rows are. */
        public Builder optFrequency(Frequency frequency) {
            props.put(MetadataKeys.FREQUENCY, Objects.requireNonNull(frequency, "frequency").id());
            return this;
        }

        /**
         * A forecaster's prediction intervals: {@code levels} (coverages in (0, 1)) and, per level, step and feature,
         * the offsets from the forecast to the lower and upper bound in model (scaled) units.
         *
         * @param method how the offsets were measured, e.g. {@code validation_residual_quantiles}
         */
        public Builder optIntervals(String method, double[] levels, double[][][] lower, double[][][] upper) {
            return optIntervals(method, levels, lower, upper, Map.of());
        }

        /**
         * As {@link #optIntervals(String, double[], double[][][], double[][][])}, with how the offsets were
         * calibrated ({@code calibration}: e.g. the quantile rule, the validation errors per step and the levels
         * extrapolated for want of errors), recorded as given; an empty map records none.
         */
        public Builder optIntervals(String method, double[] levels, double[][][] lower, double[][][] upper,
                                    Map<String, ?> calibration) {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(calibration, "calibration");
            if (levels.length == 0 || lower.length != levels.length || upper.length != levels.length) {
                throw new IllegalArgumentException("intervals: expected one lower and one upper table per level but "
                        + "got " + levels.length + " levels, " + lower.length + " and " + upper.length + " tables");
            }
            for (int i = 0; i < levels.length; i++) {
                if (!(levels[i] > 0 && levels[i] < 1)) {
                    throw new IllegalArgumentException("intervals: level " + levels[i] + " is not in (0, 1)");
                }
                if (lower[i].length == 0 || lower[i].length != upper[i].length) {
                    throw new IllegalArgumentException("intervals: level " + levels[i] + " has " + lower[i].length
                            + " lower and " + upper[i].length + " upper steps");
                }
                for (int h = 0; h < lower[i].length; h++) {
                    for (int f = 0; f < lower[i][h].length; f++) {
                        if (!Double.isFinite(lower[i][h][f]) || !Double.isFinite(upper[i][h][f])
                                || lower[i][h][f] > upper[i][h][f]) {
                            throw new IllegalArgumentException("intervals: level " + levels[i] + ", step " + (h + 1)
                                    + ", feature " + f + ": expected finite bounds with lower ≤ upper but got "
                                    + lower[i][h][f] + " and " + upper[i][h][f]);
                        }
                    }
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", method);
            m.put("levels", levels.clone());
            m.put("lower", nested(lower));
            m.put("upper", nested(upper));
            if (!calibration.isEmpty()) {
                m.put("calibration", calibration);
            }
            props.put(MetadataKeys.INTERVALS, Json.write(m));
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

        private static List<List<double[]>> nested(double[][][] table) {
            List<List<double[]>> out = new ArrayList<>();
            for (double[][] level : table) {
                List<double[]> steps = new ArrayList<>();
                for (double[] step : level) {
                    steps.add(step.clone());
                }
                out.add(steps);
            }
            return out;
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
