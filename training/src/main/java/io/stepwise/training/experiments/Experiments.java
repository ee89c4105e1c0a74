package io.stepwise.training.experiments;

import ai.djl.engine.Engine;
import io.stepwise.runtime.StepwiseVersion;
import io.stepwise.training.model.DjlRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The experiments by name, and the one way to run one: time it (wall-clock and CPU), stamp provenance, write its
 * files and refresh the summary page ({@link ExperimentsSummary}).
 */
public final class Experiments {
    /** Default output folder (relative to the project root). */
    public static final Path DEFAULT_OUTPUT = Path.of("docs", "experiments");

    private Experiments() {
    }

    /** Every experiment, in the order of the issue and of {@code make experiments}. */
    public static List<Experiment> all() {
        return List.of(new GradientFlowExperiment(), new AddingProblemExperiment(), new TruncatedBpttExperiment(),
                new CellCostExperiment(), new ConvVsRecurrentExperiment());
    }

    /** The names of {@link #all()}. */
    public static List<String> names() {
        return all().stream().map(Experiment::name).toList();
    }

    /** The experiment called {@code name}. */
    public static Experiment byName(String name) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("experiment: expected one of " + String.join(", ", names())
                        + " but got '" + name + "'"));
    }

    /**
     * Runs {@code experiment}, writes {@code <name>.md/.json/.png} into the context's output folder and refreshes
     * its {@code README.md}; returns the report.
     */
    public static ExperimentReport run(Experiment experiment, ExperimentContext context) throws Exception {
        DjlRuntime.configureThreads();
        DjlRuntime.configure();
        context.progress("experiment %s (%s scale) starting", experiment.name(), context.scale().id());
        RunClock clock = RunClock.start();
        ExperimentReport report = experiment.run(context);
        double wall = clock.wallSeconds();
        double cpu = clock.processCpuSeconds();
        report.run("scale", context.scale().id());
        report.run("command", "stepwise experiment " + experiment.name()
                + (context.quick() ? " --scale quick" : ""));
        report.run("wall_seconds", Math.round(wall * 10) / 10.0);
        report.run("cpu_seconds", Math.round(cpu * 10) / 10.0);
        report.run("date", Instant.now().toString());
        report.run("versions", versions());
        report.write(context.outputDir());
        ExperimentsSummary.write(context.outputDir());
        context.progress("experiment %s done in %.0f s wall, %.0f s CPU: %s", experiment.name(), wall, cpu,
                report.claims().stream().map(c -> c.verdict().label()).collect(Collectors.joining(", ")));
        return report;
    }

    static Map<String, Object> versions() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("stepwise", StepwiseVersion.get());
        v.put("djl", Engine.getDjlVersion());
        v.put("pytorch", DjlRuntime.engine().getVersion());
        v.put("java", System.getProperty("java.version"));
        v.put("cpus", Runtime.getRuntime().availableProcessors());
        v.put("torch_threads", System.getProperty("ai.djl.pytorch.num_threads"));
        // PyTorch 2.7.1's oneDNN LSTM is wrong on AVX-512-BF16 CPUs unless this caps the ISA; recorded so that the
        // summary can flag runs made without it.
        v.put("onednn_max_cpu_isa", System.getenv("ONEDNN_MAX_CPU_ISA"));
        return v;
    }

    /** Writes the summary after a run; separate so that tests can call it on a folder. */
    static void refresh(Path folder) throws IOException {
        ExperimentsSummary.write(folder);
    }
}
