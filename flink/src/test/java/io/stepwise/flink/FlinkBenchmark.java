package io.stepwise.flink;

import io.stepwise.runtime.RecurrentModel;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.TestStreamEnvironment;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code make flink-bench}: events/s and events per CPU-second of the Flink operator, bundled vs per-event, at
 * parallelism 1 and 2, thousands of keys interleaved (each bundle holds many keys); and the checkpoint size per key
 * against the {@code SessionState} size. Contenders alternate within each repeat on one shared mini cluster, and
 * the ratios are taken pairwise per repeat, so load from other processes hits both sides alike; the spread is the
 * min–max of those ratios. Writes {@code benchmarks/flink.json} and the Flink section of {@code BENCHMARKS.md}.
 *
 * <pre>FlinkBenchmark [--keys 2000] [--steps 10] [--repeats 3] [--bundle 256] [--model models/co2-lstm.onnx]
 *                [--out .] [--quick]</pre>
 */
public final class FlinkBenchmark {
    private static final String BEGIN = "<!-- flink-bench:begin -->";
    private static final String END = "<!-- flink-bench:end -->";

    private FlinkBenchmark() {
    }

    /** One job's figures. */
    record Run(String contender, int parallelism, int repeat, long events, long modelCalls, double operatorSeconds,
               double operatorCpuSeconds, double jobSeconds, double processCpuSeconds) {
        double eventsPerSecond() {
            return events / operatorSeconds;
        }

        double eventsPerCpuSecond() {
            return events / operatorCpuSeconds;
        }

        double jobEventsPerSecond() {
            return events / jobSeconds;
        }

        double jobEventsPerCpuSecond() {
            return events / processCpuSeconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--quick")) {
                a.put("quick", "true");
            } else if (args[i].startsWith("--") && i + 1 < args.length) {
                a.put(args[i].substring(2), args[++i]);
            } else {
                throw new IllegalArgumentException("argument " + i + ": unexpected '" + args[i] + "'");
            }
        }
        boolean quick = a.containsKey("quick");
        int keys = Integer.parseInt(a.getOrDefault("keys", quick ? "500" : "2000"));
        int steps = Integer.parseInt(a.getOrDefault("steps", quick ? "8" : "10"));
        int repeats = Integer.parseInt(a.getOrDefault("repeats", quick ? "1" : "3"));
        int bundle = Integer.parseInt(a.getOrDefault("bundle", "256"));
        Path model = Path.of(a.getOrDefault("model", "models/co2-lstm.onnx"));
        Path out = Path.of(a.getOrDefault("out", "."));
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        List<Run> runs = new ArrayList<>();
        Configuration conf = new Configuration();
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build())) {
            cluster.start();
            // A warm-up job per contender (class loading, JIT, ONNX Runtime's first runs), not reported.
            for (Stepping s : Stepping.values()) {
                run(cluster, model, s, 1, Math.min(keys, 200), 3, bundle, -1);
            }
            for (int r = 0; r < repeats; r++) {
                for (int p : new int[] {1, 2}) {
                    // Alternate which contender goes first, so drift in the machine's load favours neither.
                    Stepping[] order = (r + p) % 2 == 0 ? new Stepping[] {Stepping.BUNDLED, Stepping.PER_EVENT}
                            : new Stepping[] {Stepping.PER_EVENT, Stepping.BUNDLED};
                    for (Stepping s : order) {
                        Run run = run(cluster, model, s, p, keys, steps, bundle, r);
                        runs.add(run);
                        System.out.printf(Locale.ROOT, "repeat %d p=%d %-9s %,9.0f events/s %,9.0f events/CPU-s"
                                        + " (%d model calls; whole job %.1f s)%n", r + 1, p, s, run.eventsPerSecond(),
                                run.eventsPerCpuSecond(), run.modelCalls(), run.jobSeconds());
                    }
                }
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<long[]> sizes = checkpointSizes(model, keys);
        int sessionBytes;
        try (RecurrentModel m = RecurrentModel.load(model); var session = m.newSession()) {
            sessionBytes = session.snapshot().toBytes().length;
        }
        String json = json(runs, sizes, sessionBytes, keys, steps, repeats, bundle, model, loadBefore, loadAfter);
        String md = markdown(runs, sizes, sessionBytes, keys, steps, repeats, bundle, model, loadBefore, loadAfter);
        Files.createDirectories(out.resolve("benchmarks"));
        write(out.resolve("benchmarks/flink.json"), json);
        Path bench = out.resolve("BENCHMARKS.md");
        String doc = Files.exists(bench) ? Files.readString(bench) : "# Stepwise benchmarks\n";
        int from = doc.indexOf(BEGIN);
        int to = doc.indexOf(END);
        String section = BEGIN + "\n" + md + END;
        doc = from >= 0 && to > from ? doc.substring(0, from) + section + doc.substring(to + END.length())
                : doc.stripTrailing() + "\n\n" + section + "\n";
        write(bench, doc);
        System.out.println(md);
        System.out.println("wrote " + out.resolve("benchmarks/flink.json") + " and the Flink section of " + bench);
    }

    private static Run run(MiniCluster cluster, Path model, Stepping stepping, int parallelism, int keys, int steps,
                           int bundle, int repeat) throws Exception {
        StreamExecutionEnvironment env = new TestStreamEnvironment(cluster, parallelism);
        env.setParallelism(parallelism);
        long total = (long) keys * steps;
        var events = env.fromSource(new DataGeneratorSource<>(i -> Reference.event(i, keys, 99), total,
                        TypeInformation.of(StepEvent.class)), WatermarkStrategy.noWatermarks(), "events")
                .setParallelism(1);
        RecurrentStepOptions options = RecurrentStepOptions.builder().setModel(model).setMode(OutputMode.FORECAST)
                .optStepping(stepping).optBundleSize(stepping == Stepping.BUNDLED ? bundle : 1)
                .optBundleTimeout(Duration.ofMillis(20)).optStatistics(true).build();
        RecurrentStep.apply(events.keyBy(StepEvent::key), options).sinkTo(new DiscardingSink<>());
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        JobExecutionResult result = env.execute("bench " + stepping + " p" + parallelism);
        double jobSeconds = (System.nanoTime() - t0) / 1e9;
        double processCpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        long stepped = result.getAccumulatorResult(RecurrentStep.EVENTS);
        if (repeat >= 0 && stepped != total) {
            throw new IllegalStateException("stepped " + stepped + " of " + total + " events");
        }
        long first = result.getAccumulatorResult(RecurrentStep.FIRST_EVENT_MILLIS);
        long last = result.getAccumulatorResult(RecurrentStep.LAST_OUTPUT_MILLIS);
        long cpuNanos = result.getAccumulatorResult(RecurrentStep.STEP_CPU_NANOS);
        long calls = result.getAccumulatorResult(RecurrentStep.MODEL_CALLS);
        return new Run(stepping.name(), parallelism, repeat, stepped, calls, Math.max(1, last - first) / 1e3,
                cpuNanos / 1e9, jobSeconds, processCpu);
    }

    /** Managed keyed state of one operator snapshot: {n keys, bytes} for n and 2n keys, forecast and anomaly. */
    private static List<long[]> checkpointSizes(Path model, int keys) throws Exception {
        List<long[]> sizes = new ArrayList<>();
        for (OutputMode mode : new OutputMode[] {OutputMode.FORECAST, OutputMode.ANOMALY_SCORE}) {
            for (int n : new int[] {keys, 2 * keys}) {
                RecurrentStepOptions options = RecurrentStepOptions.builder().setModel(model).setMode(mode)
                        .optBundleSize(512).build();
                try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new RecurrentStepOperator(options),
                        StepEvent::key, Types.STRING)) {
                    h.open();
                    for (long i = 0; i < 3L * n; i++) {
                        StepEvent e = Reference.event(i, n, 5);
                        h.processElement(e, e.timestamp());
                    }
                    h.prepareSnapshotPreBarrier(1);
                    OperatorSubtaskState s = h.snapshot(1, 1);
                    sizes.add(new long[] {mode.ordinal(), n, s.getManagedKeyedState().getStateSize()});
                }
            }
        }
        return sizes;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double[] pick(List<Run> runs, String contender, int p, java.util.function.ToDoubleFunction<Run> f) {
        return runs.stream().filter(r -> r.contender().equals(contender) && r.parallelism() == p)
                .sorted(java.util.Comparator.comparingInt(Run::repeat)).mapToDouble(f).toArray();
    }

    /** bundled / per-event, pairwise per repeat. */
    private static double[] ratios(List<Run> runs, int p, java.util.function.ToDoubleFunction<Run> f) {
        double[] b = pick(runs, "BUNDLED", p, f);
        double[] e = pick(runs, "PER_EVENT", p, f);
        double[] r = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[i] / e[i];
        }
        return r;
    }

    private static String spread(double[] v, String fmt) {
        double min = Arrays.stream(v).min().orElse(Double.NaN);
        double max = Arrays.stream(v).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, fmt + " (" + fmt + "–" + fmt + ")", median(v), min, max);
    }

    private static String markdown(List<Run> runs, List<long[]> sizes, int sessionBytes, int keys, int steps,
                                   int repeats, int bundle, Path model, double loadBefore, double loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Flink: bundled vs per-event stepping (`make flink-bench`)\n\n");
        sb.append(String.format(Locale.ROOT, "%s, %d cores, load average %.1f before / %.1f after; Flink mini cluster"
                        + " (1 TaskManager, 2 slots), %s in FORECAST mode, %,d keys × %d events interleaved (%,d events"
                        + " per job), one source task; bundled = bundles of %d events (one ONNX Runtime call per"
                        + " round), per-event = bundle size 1 through one StepSession (restore, step, snapshot per"
                        + " event); %d repeats, contenders alternating; median (min–max). events/s over the"
                        + " operator's span (first event in → last output out); events per CPU-second over the"
                        + " operator thread's CPU time in its flushes (model, state, outputs). %s\n\n",
                Instant.now().toString().substring(0, 16).replace('T', ' ') + " UTC",
                Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, model.getFileName(), keys, steps,
                (long) keys * steps, bundle, repeats,
                loadBefore > Runtime.getRuntime().availableProcessors()
                        ? "The machine was shared and loaded during the run: absolute rates are low and noisy; the"
                        + " pairwise ratios are the figure to read." : ""));
        sb.append("| parallelism | contender | events/s | events per CPU-second | model calls | whole job events/s |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (int p : new int[] {1, 2}) {
            for (String c : new String[] {"BUNDLED", "PER_EVENT"}) {
                sb.append("| ").append(p).append(" | ").append(c.toLowerCase(Locale.ROOT).replace('_', '-'))
                        .append(" | ").append(spread(pick(runs, c, p, Run::eventsPerSecond), "%,.0f"))
                        .append(" | ").append(spread(pick(runs, c, p, Run::eventsPerCpuSecond), "%,.0f"))
                        .append(" | ").append(String.format(Locale.ROOT, "%,.0f",
                                median(pick(runs, c, p, r -> (double) r.modelCalls()))))
                        .append(" | ").append(spread(pick(runs, c, p, Run::jobEventsPerSecond), "%,.0f"))
                        .append(" |\n");
            }
        }
        sb.append("\n| parallelism | bundled ÷ per-event, events/s | bundled ÷ per-event, events per CPU-second |\n");
        sb.append("|---|---|---|\n");
        for (int p : new int[] {1, 2}) {
            sb.append("| ").append(p).append(" | ").append(spread(ratios(runs, p, Run::eventsPerSecond), "%.2f×"))
                    .append(" | ").append(spread(ratios(runs, p, Run::eventsPerCpuSecond), "%.2f×")).append(" |\n");
        }
        double[] scaling = new double[pick(runs, "BUNDLED", 1, Run::eventsPerSecond).length];
        for (int i = 0; i < scaling.length; i++) {
            scaling[i] = pick(runs, "BUNDLED", 2, Run::eventsPerSecond)[i]
                    / pick(runs, "BUNDLED", 1, Run::eventsPerSecond)[i];
        }
        sb.append(String.format(Locale.ROOT, "\nBundled, parallelism 2 ÷ 1 (events/s): %s.%n%n",
                spread(scaling, "%.2f×")));
        sb.append("**Checkpoint size per key** (managed keyed state of one operator snapshot, heap backend, after 3"
                + " events per key; per key = the growth from n to 2n keys ÷ n, so the one-off serializer snapshot"
                + " drops out):\n\n");
        sb.append("| mode | SessionState bytes | checkpoint bytes per key | overhead per key |\n|---|---|---|---|\n");
        OutputMode[] modes = {OutputMode.FORECAST, OutputMode.ANOMALY_SCORE};
        for (int m = 0; m < modes.length; m++) {
            OutputMode mode = modes[m];
            long[] small = sizes.get(m * 2);
            long[] large = sizes.get(m * 2 + 1);
            double perKey = (double) (large[2] - small[2]) / (large[1] - small[1]);
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f (%.2f×) |%n", mode, sessionBytes, perKey,
                    perKey - sessionBytes, perKey / sessionBytes));
        }
        sb.append("\nThe overhead is the key (a string such as `sensor-1234`), the record's own fields (version"
                + " byte, lengths, last timestamp, error count; in anomaly mode also the model's last output and the"
                + " running squared error per target) and the backend's per-entry framing.\n\n");
        return sb.toString();
    }

    private static String json(List<Run> runs, List<long[]> sizes, int sessionBytes, int keys, int steps,
                               int repeats, int bundle, Path model, double loadBefore, double loadAfter) {
        StringBuilder sb = new StringBuilder("{\n");
        sb.append(String.format(Locale.ROOT, "  \"model\": \"%s\", \"keys\": %d, \"steps\": %d, \"repeats\": %d,"
                        + " \"bundle\": %d, \"cores\": %d, \"load_before\": %.2f, \"load_after\": %.2f,%n",
                model.getFileName(), keys, steps, repeats, bundle, Runtime.getRuntime().availableProcessors(),
                loadBefore, loadAfter));
        sb.append("  \"runs\": [\n");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            sb.append(String.format(Locale.ROOT, "    {\"contender\": \"%s\", \"parallelism\": %d, \"repeat\": %d,"
                            + " \"events\": %d, \"model_calls\": %d, \"operator_seconds\": %.4f,"
                            + " \"operator_cpu_seconds\": %.4f, \"job_seconds\": %.3f, \"process_cpu_seconds\": %.3f,"
                            + " \"events_per_second\": %.1f, \"events_per_cpu_second\": %.1f}%s%n",
                    r.contender(), r.parallelism(), r.repeat() + 1, r.events(), r.modelCalls(), r.operatorSeconds(),
                    r.operatorCpuSeconds(), r.jobSeconds(), r.processCpuSeconds(), r.eventsPerSecond(),
                    r.eventsPerCpuSecond(), i + 1 < runs.size() ? "," : ""));
        }
        sb.append("  ],\n  \"ratios_bundled_over_per_event\": {");
        for (int p : new int[] {1, 2}) {
            sb.append(String.format(Locale.ROOT, "%s\"p%d\": {\"events_per_second\": %s, \"events_per_cpu_second\": %s}",
                    p == 1 ? "" : ", ", p, Arrays.toString(ratios(runs, p, Run::eventsPerSecond)),
                    Arrays.toString(ratios(runs, p, Run::eventsPerCpuSecond))));
        }
        sb.append("},\n  \"session_state_bytes\": ").append(sessionBytes).append(",\n  \"checkpoint\": [");
        for (int i = 0; i < sizes.size(); i++) {
            long[] s = sizes.get(i);
            sb.append(String.format(Locale.ROOT, "%s{\"mode\": \"%s\", \"keys\": %d, \"keyed_state_bytes\": %d}",
                    i == 0 ? "" : ", ", OutputMode.values()[(int) s[0]], s[1], s[2]));
        }
        sb.append("]\n}\n");
        return sb.toString();
    }

    private static void write(Path file, String text) throws java.io.IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
