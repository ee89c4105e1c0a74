package io.stepwise.bench;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import io.stepwise.runtime.RuntimeOptions;
import io.stepwise.training.io.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Version;

/**
 * Runs every Stepwise benchmark and writes {@code BENCHMARKS.md} and {@code benchmarks/results.json}.
 *
 * <p>{@code java -cp ... io.stepwise.bench.BenchmarkSuite [--quick] [--out DIR]} ({@code BENCH_QUICK=1} also
 * selects quick mode). Sections: an equivalence check of the five step implementations; step latency (JMH
 * SampleTime) of Stepwise, raw ONNX Runtime (floor, pinned, naive) and DJL for every cell × hidden × layers; intra-op
 * threads × spinning for one model; prefill (feed vs steps); throughput of concurrent sessions; training
 * throughput through the Trainer; memory over a long run. JMH forks one JVM per configuration; implementations
 * of one model run back to back so their ratios share the machine's conditions.
 */
public final class BenchmarkSuite {
    /** How much to measure: quick (a smoke run of about two minutes) or full. */
    record Plan(boolean quick, List<String> cells, int[] hiddens, int[] layers, int warmupIterations,
                double warmupSeconds, int iterations, double iterationSeconds, String exploreCell, int exploreHidden,
                int prefillHidden, int throughputHidden, int[] sessions, int trainHidden, int trainBatch,
                int trainSequence, int trainBatchesPerEpoch, int trainEpochs, long memorySteps) {
        static Plan of(boolean quick) {
            List<String> cells = List.of("rnn_tanh", "lstm", "gru");
            return quick
                    ? new Plan(true, cells, new int[] {128}, new int[] {1}, 1, 0.5, 2, 0.5, "lstm", 256, 128, 128,
                    new int[] {1, 8, 32, 64}, 128, 16, 32, 16, 4, 100_000)
                    : new Plan(false, cells, new int[] {128, 256, 512}, new int[] {1, 2}, 2, 0.6, 5, 0.6, "lstm",
                    512, 256, 256, new int[] {1, 8, 32, 64}, 256, 32, 64, 8, 5, 1_000_000);
        }
    }

    /** Stepwise's p50 may be at most this multiple of the hand-written ONNX Runtime floor. */
    static final double FLOOR_GOAL = 1.15;
    /** Stepwise's p50 should be at least this many times faster than DJL's. */
    static final double DJL_GOAL = 2.0;

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    private final Plan plan;
    private final int cores = Runtime.getRuntime().availableProcessors();

    private BenchmarkSuite(Plan plan) {
        this.plan = plan;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = "1".equals(System.getenv("BENCH_QUICK"));
        Path out = Path.of(".");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--out: expected a folder after it");
                    }
                    out = Path.of(args[++i]);
                }
                default -> throw new IllegalArgumentException("argument '" + args[i]
                        + "': expected --quick or --out DIR");
            }
        }
        new BenchmarkSuite(Plan.of(quick)).run(out);
    }

    private void run(Path out) throws Exception {
        long start = System.nanoTime();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("generated", Instant.now().toString());
        results.put("mode", plan.quick() ? "quick" : "full");
        results.put("environment", environment());
        results.put("settings", settings());
        log("equivalence check");
        results.put("equivalence", equivalence());
        List<Map<String, Object>> latency = new ArrayList<>();
        for (String cell : plan.cells()) {
            for (int hidden : plan.hiddens()) {
                for (int layers : plan.layers()) {
                    log("step latency " + cell + " hidden " + hidden + " layers " + layers);
                    latency.addAll(latency(cell, hidden, layers));
                }
            }
        }
        results.put("latency", latency);
        results.put("latency_ratios", ratios(latency));
        log("threads and spinning");
        results.put("thread_exploration", threadExploration());
        log("prefill");
        results.put("prefill", prefill());
        log("concurrent throughput");
        results.put("throughput", throughput());
        List<Map<String, Object>> training = new ArrayList<>();
        for (String cell : plan.cells()) {
            log("training throughput " + cell + ", 1 PyTorch thread");
            training.add(training(cell, 1));
        }
        log("training throughput " + plan.exploreCell() + ", " + cores + " PyTorch threads");
        training.add(training(plan.exploreCell(), cores));
        results.put("training", training);
        log("continuous batching (also alone: make bench-batching)");
        results.put("batching", BatchingBenchmark.run(BatchingBenchmark.Plan.of(plan.quick()), null));
        log("memory soak, " + plan.memorySteps() + " steps");
        results.put("memory", subprocess("-Xmx256m", MemorySoak.class, plan.exploreCell(),
                Integer.toString(plan.throughputHidden()), "1", Long.toString(plan.memorySteps())));
        results.put("goals", Report.goals(results));
        results.put("total_seconds", (System.nanoTime() - start) / 1e9);
        Path json = out.resolve("benchmarks").resolve("results.json");
        writeAtomically(json, GSON.toJson(results));
        Path benchmarks = out.resolve("BENCHMARKS.md");
        String previous = Files.exists(benchmarks) ? Files.readString(benchmarks) : "";
        writeAtomically(benchmarks, MarkedSections.keep(previous, Report.markdown(results)));
        log(String.format("done in %.0f s: wrote %s and %s", (System.nanoTime() - start) / 1e9, json,
                out.resolve("BENCHMARKS.md")));
    }

    // ---------------------------------------------------------------- sections

    private List<Map<String, Object>> latency(String cell, int hidden, int layers) throws RunnerException {
        Collection<RunResult> runs = jmh(StepLatencyBenchmark.class, 1, Map.of(
                "impl", new String[] {"stepwise", "ort_pinned", "ort_floor", "ort_naive", "djl"},
                "cell", new String[] {cell}, "hidden", new String[] {Integer.toString(hidden)},
                "layers", new String[] {Integer.toString(layers)}, "intraOpThreads", new String[] {"1"},
                "spinning", new String[] {"false"}));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunResult r : runs) {
            rows.add(sampleRow(r, "impl", "cell", "hidden", "layers"));
        }
        return rows;
    }

    private List<Map<String, Object>> threadExploration() throws RunnerException {
        Collection<RunResult> runs = jmh(StepLatencyBenchmark.class, 1, Map.of(
                "impl", new String[] {"stepwise"}, "cell", new String[] {plan.exploreCell()},
                "hidden", new String[] {Integer.toString(plan.exploreHidden())}, "layers", new String[] {"1"},
                "intraOpThreads", new String[] {"1", "2"}, "spinning", new String[] {"false", "true"}));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunResult r : runs) {
            rows.add(sampleRow(r, "impl", "cell", "hidden", "layers", "intraOpThreads", "spinning"));
        }
        return rows;
    }

    private List<Map<String, Object>> prefill() throws RunnerException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String cell : plan.cells()) {
            Collection<RunResult> runs = jmh(PrefillBenchmark.class, 1, Map.of(
                    "method", new String[] {"feed", "steps"}, "cell", new String[] {cell},
                    "hidden", new String[] {Integer.toString(plan.prefillHidden())}, "layers", new String[] {"1"}));
            for (RunResult r : runs) {
                Map<String, Object> row = scoreRow(r, 1.0, "method", "cell", "hidden", "layers");
                row.put("tokens", PrefillBenchmark.PROMPT);
                row.put("us_per_token", (double) row.get("median") / PrefillBenchmark.PROMPT);
                rows.add(row);
            }
        }
        return rows;
    }

    private List<Map<String, Object>> throughput() throws RunnerException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int sessions : plan.sessions()) {
            int threads = Math.min(sessions, cores);
            Collection<RunResult> runs = jmh(ConcurrentThroughputBenchmark.class, threads, Map.of(
                    "cell", new String[] {plan.exploreCell()},
                    "hidden", new String[] {Integer.toString(plan.throughputHidden())}, "layers", new String[] {"1"},
                    "sessions", new String[] {Integer.toString(sessions)}));
            for (RunResult r : runs) {
                Map<String, Object> row = scoreRow(r, (double) sessions / threads, "cell", "hidden", "layers",
                        "sessions");
                row.put("threads", threads);
                row.put("unit", "steps/s");
                rows.add(row);
            }
        }
        return rows;
    }

    private Map<String, Object> training(String cell, int threads) throws IOException, InterruptedException {
        Map<String, Object> r = subprocess("-Xmx2g", TrainingThroughput.class, cell,
                Integer.toString(plan.trainHidden()), "1", Integer.toString(plan.trainBatch()),
                Integer.toString(plan.trainSequence()), Integer.toString(plan.trainBatchesPerEpoch()),
                Integer.toString(plan.trainEpochs()), Integer.toString(threads));
        @SuppressWarnings("unchecked")
        List<Double> perEpoch = (List<Double>) r.get("tokens_per_second");
        double[] values = perEpoch.stream().mapToDouble(Double::doubleValue).toArray();
        double flops = ((Number) r.get("training_flops_per_token")).doubleValue();
        r.put("median_tokens_per_second", Stats.median(values));
        r.put("min_tokens_per_second", Arrays.stream(values).min().orElseThrow());
        r.put("max_tokens_per_second", Arrays.stream(values).max().orElseThrow());
        r.put("median_gflops", Stats.median(values) * flops / 1e9);
        return r;
    }

    /** Steps the five implementations side by side and compares their outputs with Stepwise's. */
    private List<Map<String, Object>> equivalence() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String cell : plan.cells()) {
            int hidden = 32;
            int layers = 2;
            List<Stepper> steppers = new ArrayList<>();
            try {
                for (Stepper.Kind kind : Stepper.Kind.values()) {
                    steppers.add(Stepper.create(kind, cell, hidden, layers, 1, false));
                }
                double[] worst = new double[steppers.size()];
                for (int t = 0; t < 50; t++) {
                    float[] reference = steppers.get(0).step(BenchModels.token(t));
                    for (int k = 1; k < steppers.size(); k++) {
                        float[] other = steppers.get(k).step(BenchModels.token(t));
                        for (int i = 0; i < reference.length; i++) {
                            worst[k] = Math.max(worst[k], Math.abs(reference[i] - other[i]));
                        }
                    }
                }
                for (int k = 1; k < steppers.size(); k++) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("cell", cell);
                    row.put("hidden", hidden);
                    row.put("layers", layers);
                    row.put("steps", 50);
                    row.put("impl", Stepper.Kind.values()[k].id());
                    row.put("max_abs_diff_vs_stepwise", worst[k]);
                    rows.add(row);
                    if (worst[k] > 1e-4) {
                        throw new IllegalStateException(Stepper.Kind.values()[k].id() + " differs from Stepwise by "
                                + worst[k] + " on " + cell + "; the benchmarks would not compare the same model");
                    }
                }
            } finally {
                steppers.forEach(Stepper::close);
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------- JMH

    private Collection<RunResult> jmh(Class<?> benchmark, int threads, Map<String, String[]> params)
            throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
                .forks(1)
                .threads(threads)
                .warmupIterations(plan.warmupIterations())
                .warmupTime(seconds(plan.warmupSeconds()))
                .measurementIterations(plan.iterations())
                .measurementTime(seconds(plan.iterationSeconds()))
                .jvmArgsAppend("-Xmx1g", "-Dai.djl.offline=true")
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT);
        params.forEach(options::param);
        Collection<RunResult> runs = new Runner(options.build()).run();
        if (runs.isEmpty()) {
            throw new IllegalStateException(benchmark.getSimpleName() + ": JMH returned no results; are the"
                    + " generated benchmark classes (META-INF/BenchmarkList) on the class path?");
        }
        return runs;
    }

    private static TimeValue seconds(double s) {
        return TimeValue.milliseconds(Math.round(s * 1000));
    }

    /** A SampleTime run: p50/p99 over all samples, and the spread of the per-iteration medians. */
    private static Map<String, Object> sampleRow(RunResult r, String... keys) {
        Map<String, Object> row = params(r, keys);
        var stats = r.getPrimaryResult().getStatistics();
        List<Double> iterationMedians = new ArrayList<>();
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult i : b.getIterationResults()) {
                iterationMedians.add(i.getPrimaryResult().getStatistics().getPercentile(50));
            }
        }
        row.put("unit", r.getPrimaryResult().getScoreUnit());
        row.put("p50", stats.getPercentile(50));
        row.put("p99", stats.getPercentile(99));
        row.put("mean", stats.getMean());
        row.put("samples", stats.getN());
        row.put("iteration_p50", iterationMedians);
        row.put("spread_min", iterationMedians.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
        row.put("spread_max", iterationMedians.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        return row;
    }

    /** An AverageTime or Throughput run: median and range of the per-iteration scores, times {@code scale}. */
    private static Map<String, Object> scoreRow(RunResult r, double scale, String... keys) {
        Map<String, Object> row = params(r, keys);
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult b : r.getBenchmarkResults()) {
            for (IterationResult i : b.getIterationResults()) {
                scores.add(i.getPrimaryResult().getScore() * scale);
            }
        }
        double[] values = scores.stream().mapToDouble(Double::doubleValue).toArray();
        row.put("unit", r.getPrimaryResult().getScoreUnit());
        row.put("median", Stats.median(values));
        row.put("spread_min", Arrays.stream(values).min().orElse(Double.NaN));
        row.put("spread_max", Arrays.stream(values).max().orElse(Double.NaN));
        row.put("iterations", scores);
        return row;
    }

    private static Map<String, Object> params(RunResult r, String... keys) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String k : keys) {
            String v = r.getParams().getParam(k);
            row.put(k, v.matches("-?\\d+") ? (Object) Integer.parseInt(v) : v);
        }
        return row;
    }

    /** Per model: Stepwise's p50 and p99 against the floor, naive ORT and DJL. */
    private static List<Map<String, Object>> ratios(List<Map<String, Object>> latency) {
        Map<String, Map<String, Map<String, Object>>> byModel = new LinkedHashMap<>();
        for (Map<String, Object> row : latency) {
            String key = row.get("cell") + "/" + row.get("hidden") + "/" + row.get("layers");
            byModel.computeIfAbsent(key, k -> new LinkedHashMap<>()).put((String) row.get("impl"), row);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Map<String, Object>> impls : byModel.values()) {
            Map<String, Object> s = impls.get("stepwise");
            Map<String, Object> f = impls.get("ort_floor");
            Map<String, Object> pin = impls.get("ort_pinned");
            Map<String, Object> n = impls.get("ort_naive");
            Map<String, Object> d = impls.get("djl");
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("cell", s.get("cell"));
            row.put("hidden", s.get("hidden"));
            row.put("layers", s.get("layers"));
            row.put("stepwise_over_floor_p50", p(s, "p50") / p(f, "p50"));
            row.put("stepwise_over_floor_p99", p(s, "p99") / p(f, "p99"));
            row.put("stepwise_over_pinned_p50", p(s, "p50") / p(pin, "p50"));
            row.put("stepwise_over_pinned_p99", p(s, "p99") / p(pin, "p99"));
            row.put("pinned_goal_met", p(s, "p50") / p(pin, "p50") <= FLOOR_GOAL);
            row.put("naive_over_stepwise_p50", p(n, "p50") / p(s, "p50"));
            row.put("djl_over_stepwise_p50", p(d, "p50") / p(s, "p50"));
            row.put("djl_over_stepwise_p99", p(d, "p99") / p(s, "p99"));
            row.put("floor_goal_met", p(s, "p50") / p(f, "p50") <= FLOOR_GOAL);
            row.put("djl_goal_met", p(d, "p50") / p(s, "p50") >= DJL_GOAL);
            out.add(row);
        }
        return out;
    }

    private static double p(Map<String, Object> row, String key) {
        return ((Number) row.get(key)).doubleValue();
    }

    // ---------------------------------------------------------------- environment, processes, files

    private Map<String, Object> environment() throws IOException {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cpu", cpuModel());
        env.put("cores", cores);
        env.put("memory_gb", memoryGigabytes());
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        env.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("jmh", Version.getPlainVersion());
        env.put("onnxruntime", OrtEnvironment.getEnvironment().getVersion());
        env.put("djl", Engine.getDjlVersion());
        Engine pytorch = io.stepwise.training.model.DjlRuntime.engine();
        env.put("djl_engine", pytorch.getEngineName() + " " + pytorch.getVersion());
        return env;
    }

    private Map<String, Object> settings() {
        RuntimeOptions defaults = RuntimeOptions.defaults();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", "character language model: vocabulary " + BenchModels.VOCABULARY + ", embedding "
                + BenchModels.EMBEDDING + ", per-step head over the vocabulary, seeded random weights");
        s.put("jmh_forks", 1);
        s.put("jmh_warmup", plan.warmupIterations() + " x " + plan.warmupSeconds() + " s");
        s.put("jmh_measurement", plan.iterations() + " x " + plan.iterationSeconds() + " s");
        s.put("jmh_jvm_args", "-Xmx1g -Dai.djl.offline=true");
        s.put("latency_intra_op_threads", 1);
        s.put("latency_spinning", false);
        s.put("djl_pytorch_threads", "intra-op 1, inter-op 1 (same as ONNX Runtime)");
        s.put("training_pytorch_threads", "1 for every cell, and " + cores + " (all cores) for " + plan.exploreCell());
        s.put("runtime_default_intra_op_threads", defaults.intraOpThreads());
        s.put("runtime_default_spinning", defaults.spinning());
        s.put("spread", "min..max over measurement iterations of each iteration's median (latency) or score");
        s.put("flops_formula", "forward per token = sum over layers of 2*G*H*(in+H) + 2*H*O (G gates: rnn 1,"
                + " gru 3, lstm 4); training = 3 x forward (backward ~ 2 x forward)");
        s.put("plan", plan.toString());
        return s;
    }

    private static String cpuModel() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    private static double memoryGigabytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576.0;
            }
        }
        return Double.NaN;
    }

    /** Runs {@code main} of {@code type} in a fresh JVM on this class path; returns its {@code RESULT} JSON. */
    private static Map<String, Object> subprocess(String heap, Class<?> type, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), heap, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                type.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    result = line.substring("RESULT ".length());
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || result == null) {
            throw new IllegalStateException(type.getSimpleName() + " " + String.join(" ", args) + ": exited with "
                    + exit + (result == null ? " and printed no RESULT line" : ""));
        }
        return GSON.fromJson(result, new TypeToken<LinkedHashMap<String, Object>>() { }.getType());
    }

    static void writeAtomically(Path file, String text) throws IOException {
        AtomicFiles.writeString(file, text.endsWith("\n") ? text : text + "\n");
    }

    private static void log(String message) {
        System.out.println("[bench] " + message);
        System.out.flush();
    }
}
