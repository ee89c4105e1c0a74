package io.stepwise.training.tasks;

import io.stepwise.runtime.ModelInfo;
import io.stepwise.runtime.RecurrentModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares a newly trained model with the committed model of the same name, metric by metric, from what the two
 * files record ({@code stepwise.metrics}): {@code make models} reports this instead of overwriting the committed
 * defaults, and {@code make promote-models} copies a new model over the committed one only when its primary metric
 * ({@link ModelEvaluation#primaryMetric}) is better.
 *
 * <p>Direction per metric: accuracy and F1 higher is better; bits, MASE, MAE and RMSE lower is better; the
 * baselines' own figures, counts and timings are shown but not judged.
 */
public final class ModelComparison {
    private ModelComparison() {
    }

    /**
     * One metric of both models.
     *
     * @param metric    the metric's name
     * @param committed the committed model's value (NaN when it has none)
     * @param candidate the new model's value (NaN when it has none)
     * @param direction +1 when higher is better, −1 when lower is better, 0 when not judged
     */
    public record Change(String metric, double committed, double candidate, int direction) {
        /** Whether the new value is strictly better (false when either is missing or the metric is not judged). */
        public boolean better() {
            return direction != 0 && Double.isFinite(committed) && Double.isFinite(candidate)
                    && Double.compare(candidate, committed) * direction > 0;
        }

        /** Whether the new value is strictly worse. */
        public boolean worse() {
            return direction != 0 && Double.isFinite(committed) && Double.isFinite(candidate)
                    && Double.compare(candidate, committed) * direction < 0;
        }

        /** {@code better}, {@code worse}, {@code same}, {@code new} or empty when not judged. */
        public String judgement() {
            if (direction == 0) {
                return "";
            }
            if (!Double.isFinite(committed)) {
                return "new";
            }
            return better() ? "better" : worse() ? "worse" : "same";
        }
    }

    /**
     * The comparison of one model.
     *
     * @param name      the model's name
     * @param primary   the task's primary metric
     * @param committed whether a committed model of that name exists
     * @param changes   every metric of either model, sorted by name
     */
    public record Result(String name, String primary, boolean committed, List<Change> changes) {
        public Result {
            changes = List.copyOf(changes);
        }

        /** The change of the primary metric. */
        public Change primaryChange() {
            return changes.stream().filter(c -> c.metric().equals(primary)).findFirst()
                    .orElse(new Change(primary, Double.NaN, Double.NaN, direction(primary)));
        }

        /** Whether the new model should replace the committed one: none committed, or a better primary metric. */
        public boolean improves() {
            return !committed || primaryChange().better();
        }
    }

    /** +1 higher is better, −1 lower is better, 0 not judged. */
    public static int direction(String metric) {
        if (metric.startsWith("baseline") || metric.contains("seconds") || metric.contains("epochs")) {
            return 0;
        }
        if (metric.contains("accuracy") || metric.contains("f1")) {
            return 1;
        }
        if (metric.contains("bpc") || metric.contains("bits") || metric.contains("mase") || metric.contains("mae")
                || metric.contains("rmse") || metric.contains("loss")) {
            return -1;
        }
        return 0;
    }

    /**
     * Compares {@code candidate} with {@code committed} (which may not exist).
     *
     * @throws IllegalArgumentException when a file is not a loadable model
     */
    public static Result compare(Path candidate, Path committed) {
        Objects.requireNonNull(candidate, "candidate");
        String name = candidate.getFileName().toString().replaceAll("\\.onnx$", "");
        ModelInfo next;
        try (RecurrentModel model = RecurrentModel.load(candidate)) {
            next = model.info();
        }
        Map<String, Double> before = Map.of();
        boolean exists = committed != null && Files.isRegularFile(committed);
        if (exists) {
            try (RecurrentModel model = RecurrentModel.load(committed)) {
                before = model.info().metrics();
            }
        }
        Map<String, Double> after = next.metrics();
        TreeSet<String> metrics = new TreeSet<>(after.keySet());
        metrics.addAll(before.keySet());
        List<Change> changes = new ArrayList<>();
        for (String m : metrics) {
            changes.add(new Change(m, before.getOrDefault(m, Double.NaN), after.getOrDefault(m, Double.NaN),
                    direction(m)));
        }
        String primary = ModelEvaluation.primaryMetric(ModelEvaluation.taskOf(next));
        return new Result(name, primary, exists, changes);
    }

    /** A Markdown report: one line per model with its primary metric, then one table per model of every metric. */
    public static String render(List<Result> results, String committedFolder) {
        StringBuilder sb = new StringBuilder("# New models against the committed ones in ").append(committedFolder)
                .append("\n\n| model | primary metric | committed | new | change | verdict |\n|---|---|---|---|---|---|\n");
        for (Result r : results) {
            Change p = r.primaryChange();
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", r.name(), r.primary(),
                    number(p.committed()), number(p.candidate()), difference(p), !r.committed() ? "new model"
                            : p.better() ? "**better**: promote with `make promote-models`" : p.worse()
                            ? "worse: keep the committed model" : "same"));
        }
        for (Result r : results) {
            sb.append("\n## ").append(r.name()).append("\n\n| metric | committed | new | change | |\n|---|---|---|---|---|\n");
            for (Change c : r.changes()) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", c.metric(), number(c.committed()),
                        number(c.candidate()), difference(c), c.judgement()));
            }
        }
        return sb.toString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "—";
    }

    private static String difference(Change c) {
        if (!Double.isFinite(c.committed()) || !Double.isFinite(c.candidate())) {
            return "—";
        }
        double d = c.candidate() - c.committed();
        String relative = c.committed() == 0 ? "" : String.format(Locale.ROOT, " (%+.1f %%)", 100 * d
                / Math.abs(c.committed()));
        return String.format(Locale.ROOT, "%+.4f", d) + relative;
    }
}
