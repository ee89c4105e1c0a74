package io.stepwise.training.tasks;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.training.data.CharCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Re-measures an exported model through the runtime ({@link RecurrentModel}, ONNX Runtime) on the held-out data
 * its metadata names, with the protocol its task used during training, and compares the result with the metric
 * recorded at training time.
 *
 * <p>The protocol travels in the model file under {@value #EVALUATION_PROPERTY} (JSON: the data, the split and the
 * metric's settings); {@code --data} may point at another copy of the same data. The primary metric per task is
 * {@link #primaryMetric}: validation bits per character, test MASE, test accuracy. Training measured it with the
 * DJL network; the export's parity check bounds the difference between the two networks, so the figures must agree
 * within {@value #RELATIVE_TOLERANCE_PERCENT} %.
 */
public final class ModelEvaluation {
    /** Metadata key (without the {@code stepwise.} prefix) of the evaluation protocol. */
    public static final String EVALUATION_KEY = "evaluation";
    /** Full metadata key of the evaluation protocol. */
    public static final String EVALUATION_PROPERTY = "stepwise." + EVALUATION_KEY;
    /** Largest accepted relative difference between the runtime and the recorded metric, in percent. */
    public static final double RELATIVE_TOLERANCE_PERCENT = 1.0;

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private ModelEvaluation() {
    }

    /**
     * The outcome of one evaluation.
     *
     * @param task     the model's task
     * @param metric   the primary metric's name
     * @param measured its value through the runtime
     * @param recorded the value recorded in the model at training time (NaN when the model has none)
     * @param metrics  every metric measured through the runtime
     */
    public record Result(TaskKind task, String metric, double measured, double recorded, Map<String, Double> metrics) {
        public Result {
            metrics = Map.copyOf(metrics);
        }

        /** |measured − recorded| / |recorded|, in percent; NaN when nothing was recorded. */
        public double relativeDifferencePercent() {
            return Math.abs(measured - recorded) / Math.abs(recorded) * 100;
        }

        /** Whether a metric was recorded and the measured one is within {@value #RELATIVE_TOLERANCE_PERCENT} %. */
        public boolean matchesRecorded() {
            return relativeDifferencePercent() <= RELATIVE_TOLERANCE_PERCENT;
        }
    }

    /** The metric {@code evaluate} and {@code verify} compare for models of {@code task}. */
    public static String primaryMetric(TaskKind task) {
        return switch (task) {
            case LANGUAGE_MODEL -> LanguageModelTask.VAL_BPC;
            case FORECAST -> ForecastTask.TEST_MASE;
            case CLASSIFY -> ClassifyTask.TEST_ACCURACY;
        };
    }

    /** Whether a larger value of {@code metric} is better. */
    public static boolean higherIsBetter(String metric) {
        return metric.contains("accuracy") || metric.contains("f1");
    }

    /**
     * Evaluates {@code model} on the held-out data of its protocol.
     *
     * @param data another copy of the data (file or folder), or null to use the path recorded in the model
     * @throws IllegalArgumentException when the model has no evaluation protocol, or the data cannot be read or
     *                                  does not fit the model
     */
    public static Result evaluate(RecurrentModel model, Path data) {
        Objects.requireNonNull(model, "model");
        ModelInfo info = model.info();
        TaskKind task = TaskKind.ofModelTask(info.task().wireName());
        Map<String, Object> protocol = protocol(info, model.source());
        Map<String, Double> metrics = switch (task) {
            case LANGUAGE_MODEL -> {
                String recordedData = string(protocol, "data");
                Path file = data != null ? data : "europarl-en".equals(recordedData) ? null
                        : existing(DefaultPaths.resolve(Path.of(recordedData)), model.source());
                CharCorpus corpus = LanguageModelTask.corpus(file, integer(protocol, "max_chars"));
                Map<String, Double> m = new LinkedHashMap<>();
                m.put(LanguageModelTask.VAL_BPC, LanguageModelTask.runtimeBpc(model, corpus,
                        integer(protocol, "streams"), integer(protocol, "bptt")));
                yield m;
            }
            case FORECAST -> {
                Path file = data != null ? data
                        : existing(DefaultPaths.resolve(Path.of(string(protocol, "data"))), model.source());
                int window = integer(protocol, "window");
                int horizon = integer(protocol, "horizon");
                ForecastTask.Series series = ForecastTask.prepare(file, window, integer(protocol, "validation_length"),
                        integer(protocol, "test_length"), integer(protocol, "season"), horizon, 1.0);
                yield ForecastTask.runtimeMetrics(model, series, window, horizon);
            }
            case CLASSIFY -> {
                Path folder = data != null ? data
                        : existing(DefaultPaths.resolve(Path.of(string(protocol, "data"))), model.source());
                yield ClassifyTask.runtimeMetrics(model, ClassifyTask.dataset(folder));
            }
        };
        String metric = primaryMetric(task);
        Double recorded = info.metrics().get(metric);
        return new Result(task, metric, metrics.get(metric), recorded == null ? Double.NaN : recorded, metrics);
    }

    private static Path existing(Path path, String model) {
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("--data: the data recorded in " + model + " (" + path
                    + ") does not exist here; pass --data with its location");
        }
        return path;
    }

    /** The evaluation protocol stored in the model. */
    static Map<String, Object> protocol(ModelInfo info, String source) {
        String json = info.metadata().get(EVALUATION_PROPERTY);
        if (json == null) {
            throw new IllegalArgumentException("model: " + source + " has no " + EVALUATION_PROPERTY
                    + " metadata, so the data it was evaluated on is unknown; it was not made by stepwise train");
        }
        try {
            Map<String, Object> map = GSON.fromJson(json, new TypeToken<Map<String, Object>>() { }.getType());
            if (map == null) {
                throw new JsonParseException("empty");
            }
            return map;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("model: " + source + " has a malformed " + EVALUATION_PROPERTY
                    + " value: " + json);
        }
    }

    private static String string(Map<String, Object> protocol, String key) {
        Object v = protocol.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("model: " + EVALUATION_PROPERTY + " lacks the text entry '" + key
                    + "'");
        }
        return s;
    }

    private static int integer(Map<String, Object> protocol, String key) {
        Object v = protocol.get(key);
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("model: " + EVALUATION_PROPERTY + " lacks the whole-number entry '"
                    + key + "' (got " + v + ")");
        }
        return n.intValue();
    }

    /** Compact JSON of a map of plain values. */
    static String toJson(Map<String, ?> map) {
        return GSON.toJson(map);
    }
}
