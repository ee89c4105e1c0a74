package io.stepwise.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.Session;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StepSession;
import io.stepwise.runtime.batch.BatchedSession;
import io.stepwise.runtime.batch.BatchingModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Continuous batching against today's sessions and the raw ONNX Runtime ceiling (issue 10), side by side in one
 * JVM: for 1 … 1,024 concurrent sequences of an LSTM and a GRU (hidden 256, 2 layers, the benchmark language
 * model), (a) one {@link StepSession} per sequence, each stepped by its own thread; (b) one {@link BatchedSession}
 * per sequence on a {@link BatchingModel}, each stepped by its own thread; (c) one thread running ONNX Runtime on
 * the full batch of N rows with pinned, double-buffered state (the ceiling: no gather, no scatter, no queue).
 *
 * <p>Each measurement reports steps/s (wall), steps per CPU-second (thread CPU time of the threads doing the work:
 * the callers, the batching scheduler, the raw loop; ONNX Runtime runs on them with one intra-op thread; JIT and GC
 * are left out, and the process's CPU time is recorded beside it) and p50/p99 of one step's latency as its caller sees it. The three
 * contenders are interleaved (the order rotates every repetition) and each ratio is computed within one repetition,
 * so the machine's noise hits both sides of it; the report gives each ratio's median and min..max over repetitions.
 * Also measured: a sweep of batch size × delay for the defaults, and (in a child JVM) the heap and resident memory of
 * 100,000 idle batched sessions against their state size.
 *
 * <p>{@code make bench-batching} runs this alone and writes {@code benchmarks/batching.json} and
 * {@code benchmarks/batching.md}; {@code make bench} includes it in BENCHMARKS.md.
 */
public final class BatchingBenchmark {
    static final int HIDDEN = 256;
    static final int LAYERS = 2;
    static final List<String> CELLS = List.of("lstm", "gru");
    /** The marked section of BENCHMARKS.md this benchmark owns. */
    static final String SECTION = "bench-batching";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();

    /**
     * What to run. {@code comparisonOnly}: just the interleaved contenders at {@code sequences} (no defaults sweep,
     * no memory child), for checking a change to the batching path quickly; its report is printed, never written.
     */
    record Plan(boolean quick, int[] sequences, double seconds, double warmupSeconds, int repeats,
                int memorySessions, boolean comparisonOnly) {
        static Plan of(boolean quick) {
            return quick ? new Plan(true, new int[] {1, 64, 256}, 1.0, 0.4, 2, 20_000, false)
                    : new Plan(false, new int[] {1, 8, 64, 256, 1024}, 2.5, 0.8, 3, 100_000, false);
        }

        /** Only the comparison, at the given numbers of sequences, with the full run's timing unless overridden. */
        static Plan comparison(int[] sequences, int repeats, double seconds) {
            return new Plan(false, sequences, seconds, 0.8, repeats, 0, true);
        }
    }

    /** One measured run of one contender. */
    record Run(String contender, int sequences, long steps, double wallSeconds, double cpuSeconds,
               double processCpuSeconds, double p50Micros, double p99Micros, double meanBatch) {
        double stepsPerSecond() {
            return steps / wallSeconds;
        }

        double stepsPerCpuSecond() {
            return steps / cpuSeconds;
        }
    }

    private BatchingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = "1".equals(System.getenv("BENCH_QUICK"));
        Path out = null;
        int[] only = null;
        int repeats = 3;
        double seconds = 2.5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> only = Arrays.stream(args[++i].split(",")).mapToInt(v -> positive("--only", v))
                        .toArray();
                case "--repeats" -> repeats = positive("--repeats", args[++i]);
                case "--seconds" -> seconds = positive("--seconds", args[++i]);
                case "--memory" -> {
                    // child mode: one JVM per memory measurement, so nothing else lives on its heap
                    System.out.println("RESULT " + new Gson().toJson(memory(args[++i], Integer.parseInt(args[++i]))));
                    return;
                }
                default -> throw new IllegalArgumentException("argument '" + args[i]
                        + "': expected --quick, --out DIR, --only N[,N...] [--repeats R] [--seconds S] or"
                        + " --memory CELL SESSIONS");
            }
        }
        if (only != null && (out != null || quick)) {
            throw new IllegalArgumentException("--only: a partial run is printed, never written; expected no --out"
                    + " or --quick with it");
        }
        Map<String, Object> results = run(only != null ? Plan.comparison(only, repeats, seconds) : Plan.of(quick),
                null);
        if (out != null) {
            Path json = out.resolve("benchmarks").resolve("batching.json");
            Files.createDirectories(json.getParent());
            BenchmarkSuite.writeAtomically(json, GSON.toJson(results));
            BenchmarkSuite.writeAtomically(out.resolve("benchmarks").resolve("batching.md"), markdown(results));
            // make bench writes this section too (Report); here it is replaced in place, the rest left as it was
            Path doc = out.resolve("BENCHMARKS.md");
            String previous = Files.exists(doc) ? Files.readString(doc) : "# Stepwise benchmarks\n";
            BenchmarkSuite.writeAtomically(doc, MarkedSections.put(previous, SECTION, markdown(results)));
            log("wrote " + json + ", " + out.resolve("benchmarks").resolve("batching.md") + " and its section of "
                    + doc);
        }
        System.out.println(markdown(results));
    }

    private static int positive(String option, String value) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + ": expected a whole number ≥ 1 (a list of them for --only,"
                + " e.g. 1,64) but got '" + value + "'");
    }

    /**
     * Runs every section.
     *
     * @param memoryRunner runs the memory measurement in a child JVM ({@code cell, sessions → result}); when
     *                     {@code null} this process spawns one itself
     */
    static Map<String, Object> run(Plan plan, java.util.function.BiFunction<String, Integer, Map<String, Object>>
            memoryRunner) throws Exception {
        long start = System.nanoTime();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("generated", Instant.now().toString());
        results.put("mode", plan.comparisonOnly() ? "comparison only" : plan.quick() ? "quick" : "full");
        results.put("cores", Runtime.getRuntime().availableProcessors());
        results.put("model", "benchmark language model (vocabulary " + BenchModels.VOCABULARY + ", embedding "
                + BenchModels.EMBEDDING + "), hidden " + HIDDEN + ", " + LAYERS + " layers; ONNX Runtime 1 intra-op"
                + " thread, no spinning");
        results.put("defaults", Map.of("max_batch_size", BatchingModel.DEFAULT_MAX_BATCH_SIZE,
                "max_delay_us", BatchingModel.DEFAULT_MAX_DELAY_MICROS));
        results.put("method", "per N: contenders interleaved, order rotated each repetition, " + plan.repeats()
                + " repetitions of " + plan.seconds() + " s after " + plan.warmupSeconds() + " s warm-up each;"
                + " CPU = thread CPU time of callers + scheduler (process CPU time also in the JSON); ratios per repetition, reported as median [min..max]");
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> ratios = new ArrayList<>();
        // the machine's 1-minute load average before each N and after the last: other work on the machine moves
        // every figure, (a) most (its N threads compete with everything else for the cores)
        List<Double> load = new ArrayList<>();
        for (String cell : CELLS) {
            NetworkSpec spec = BenchModels.spec(cell, HIDDEN, LAYERS);
            byte[] onnx = BenchModels.onnx(spec);
            try (RecurrentModel model = RecurrentModel.fromBytes(onnx);
                 OrtSession raw = OrtSessions.create(onnx, 1, false)) {
                for (int n : plan.sequences()) {
                    load.add(loadAverage());
                    log(cell + ": " + n + " sequences (load average " + load.get(load.size() - 1) + ")");
                    List<Supplier<Run>> contenders = List.of(
                            () -> sessions(model, n, plan.seconds()),
                            () -> batched(model, n, plan.seconds(), BatchingModel.DEFAULT_MAX_BATCH_SIZE,
                                    Duration.ofNanos(BatchingModel.DEFAULT_MAX_DELAY_MICROS * 1000L)),
                            () -> rawBatch(raw, spec, n, plan.seconds()),
                            () -> batchedAsync(model, n, plan.seconds()));
                    // warm-up: JIT, ORT's arena for this batch size
                    sessions(model, n, plan.warmupSeconds());
                    batched(model, n, plan.warmupSeconds(), BatchingModel.DEFAULT_MAX_BATCH_SIZE,
                            Duration.ofNanos(BatchingModel.DEFAULT_MAX_DELAY_MICROS * 1000L));
                    rawBatch(raw, spec, n, plan.warmupSeconds());
                    batchedAsync(model, n, plan.warmupSeconds());
                    List<Run[]> reps = new ArrayList<>();
                    for (int rep = 0; rep < plan.repeats(); rep++) {
                        Run[] r = new Run[contenders.size()];
                        for (int k = 0; k < r.length; k++) {
                            int which = (k + rep) % r.length;
                            r[which] = contenders.get(which).get();
                        }
                        reps.add(r);
                        for (Run run : r) {
                            rows.add(row(cell, rep, run));
                        }
                    }
                    ratios.add(ratioRow(cell, n, reps));
                }
            }
        }
        load.add(loadAverage());
        results.put("load_average_1m", load);
        results.put("runs", rows);
        results.put("ratios", ratios);
        if (plan.comparisonOnly()) {
            results.put("sweep", List.of());
            results.put("memory", List.of());
            results.put("goals", goals(ratios, List.of()));
            results.put("total_seconds", (System.nanoTime() - start) / 1e9);
            return results;
        }
        log("defaults sweep: lstm, 256 sequences");
        results.put("sweep", sweep(plan));
        log("memory of " + plan.memorySessions() + " idle sessions (child JVM)");
        List<Map<String, Object>> memory = new ArrayList<>();
        for (String cell : CELLS) {
            memory.add(memoryRunner != null ? memoryRunner.apply(cell, plan.memorySessions())
                    : childMemory(cell, plan.memorySessions()));
        }
        results.put("memory", memory);
        results.put("goals", goals(ratios, memory));
        results.put("total_seconds", (System.nanoTime() - start) / 1e9);
        return results;
    }

    // ---------------------------------------------------------------- contenders

    /** (a) today: one StepSession per sequence, each on its own thread. */
    static Run sessions(RecurrentModel model, int n, double seconds) {
        return threads("a_sessions", n, seconds, model::newSession, null);
    }

    /** (b) the batching front: one BatchedSession per sequence, each on its own thread. */
    static Run batched(RecurrentModel model, int n, double seconds, int maxBatch, Duration delay) {
        try (BatchingModel batching = BatchingModel.builder().setModel(model).optMaxBatchSize(maxBatch)
                .optMaxDelay(delay).optMaxSessions(Math.max(n, 1)).optMaxQueuedSteps(Math.max(n, 1) * 2).build()) {
            return threads("b_batching", n, seconds, batching::newSession, batching);
        }
    }

    private static Run threads(String name, int n, double seconds, Supplier<Session> open, BatchingModel batching) {
        int cap = Math.max(256, (1 << 20) / n);
        long[][] latencies = new long[n][cap];
        long[] counts = new long[n];
        long[] cpu = new long[n];
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int me = i;
            Thread t = new Thread(() -> {
                try (Session s = open.get()) {
                    long step = me * 7919L;
                    s.step(BenchModels.token(step++)); // the session's first step, outside the window
                    ready.countDown();
                    go.await();
                    long cpu0 = THREADS.getCurrentThreadCpuTime();
                    long count = 0;
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        s.step(BenchModels.token(step++));
                        latencies[me][(int) (count % cap)] = System.nanoTime() - t0;
                        count++;
                    }
                    cpu[me] = THREADS.getCurrentThreadCpuTime() - cpu0;
                    counts[me] = count;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, name + "-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        await(ready);
        long calls0 = batching == null ? 0 : batching.stats().calls();
        long steps0 = batching == null ? 0 : batching.stats().steps();
        long process0 = processCpuNanos();
        long scheduler0 = schedulerCpuNanos();
        long wall0 = System.nanoTime();
        go.countDown();
        sleep(seconds);
        stop.set(true);
        long wall = System.nanoTime() - wall0;
        long scheduler = schedulerCpuNanos() - scheduler0;
        long process = processCpuNanos() - process0;
        double meanBatch = 1;
        if (batching != null) {
            long calls = batching.stats().calls() - calls0;
            meanBatch = calls == 0 ? 0 : (double) (batching.stats().steps() - steps0) / calls;
        }
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long steps = Arrays.stream(counts).sum();
        double[] p = percentiles(latencies, counts, cap);
        // the last steps ran a little past the window; their count is < n out of thousands
        long threadCpu = Arrays.stream(cpu).sum() + scheduler;
        return new Run(name, n, steps, wall / 1e9, threadCpu / 1e9, process / 1e9, p[0], p[1], meanBatch);
    }

    /**
     * (b′) the batching front driven asynchronously, as an event-loop service would: N sessions, each a chain of
     * {@code stepAsync} calls whose callback (on the scheduler thread) queues the next step; no thread per sequence.
     */
    static Run batchedAsync(RecurrentModel model, int n, double seconds) {
        try (BatchingModel batching = BatchingModel.builder().setModel(model).optMaxSessions(Math.max(n, 1))
                .optMaxQueuedSteps(Math.max(n, 1) * 2).build()) {
            int cap = Math.max(256, (1 << 20) / n);
            long[][] latencies = new long[n][cap];
            long[] counts = new long[n];
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch finished = new CountDownLatch(n);
            List<BatchedSession> sessions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                BatchedSession s = batching.newSession();
                s.step(BenchModels.token(i));
                sessions.add(s);
            }
            long calls0 = batching.stats().calls();
            long steps0 = batching.stats().steps();
            long process0 = processCpuNanos();
            long scheduler0 = schedulerCpuNanos();
            long main0 = THREADS.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                chain(sessions.get(i), i, i * 7919L, latencies[i], counts, cap, stop, finished);
            }
            sleep(seconds);
            stop.set(true);
            long wall = System.nanoTime() - wall0;
            long cpu = schedulerCpuNanos() - scheduler0 + THREADS.getCurrentThreadCpuTime() - main0;
            long process = processCpuNanos() - process0;
            long calls = batching.stats().calls() - calls0;
            double meanBatch = calls == 0 ? 0 : (double) (batching.stats().steps() - steps0) / calls;
            await(finished);
            sessions.forEach(BatchedSession::close);
            double[] p = percentiles(latencies, counts, cap);
            return new Run("b_async", n, Arrays.stream(counts).sum(), wall / 1e9, cpu / 1e9, process / 1e9, p[0], p[1],
                    meanBatch);
        }
    }

    private static void chain(BatchedSession s, int me, long step, long[] latencies, long[] counts, int cap,
                              AtomicBoolean stop, CountDownLatch finished) {
        long t0 = System.nanoTime();
        s.stepAsync(BenchModels.token(step)).whenComplete((out, error) -> {
            latencies[(int) (counts[me] % cap)] = System.nanoTime() - t0;
            counts[me]++;
            if (stop.get() || error != null) {
                finished.countDown();
            } else {
                chain(s, me, step + 1, latencies, counts, cap, stop, finished);
            }
        });
    }

    /** (c) the ceiling: one thread, ONNX Runtime on all N rows at once, pinned double-buffered state. */
    static Run rawBatch(OrtSession session, NetworkSpec spec, int n, double seconds) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int rows = spec.stateRows();
        long[] stateShape = {rows, n, spec.hiddenSize()};
        int stateSize = rows * n * spec.hiddenSize();
        boolean lstm = spec.cell().hasCellState();
        LongBuffer tokens = direct(n * 8).asLongBuffer();
        FloatBuffer output = direct(n * spec.outputSize() * 4).asFloatBuffer();
        float[] copy = new float[n * spec.outputSize()];
        List<OnnxTensor> tensors = new ArrayList<>();
        try {
            OnnxTensor tokenTensor = track(tensors, OnnxTensor.createTensor(env, tokens, new long[] {n, 1}));
            OnnxTensor outputTensor = track(tensors, OnnxTensor.createTensor(env, output,
                    new long[] {n, 1, spec.outputSize()}));
            @SuppressWarnings("unchecked")
            Map<String, OnnxTensor>[] feeds = new Map[2];
            @SuppressWarnings("unchecked")
            Map<String, OnnxTensor>[] pinned = new Map[2];
            OnnxTensor[] h = new OnnxTensor[2];
            OnnxTensor[] c = new OnnxTensor[2];
            for (int i = 0; i < 2; i++) {
                h[i] = track(tensors, OnnxTensor.createTensor(env, direct(stateSize * 4).asFloatBuffer(), stateShape));
                if (lstm) {
                    c[i] = track(tensors, OnnxTensor.createTensor(env, direct(stateSize * 4).asFloatBuffer(),
                            stateShape));
                }
            }
            OnnxTensor lengths = OrtSessions.sequenceLengths(session, n, 1);
            if (lengths != null) {
                track(tensors, lengths);
            }
            for (int i = 0; i < 2; i++) {
                feeds[i] = new HashMap<>(Map.of("tokens", tokenTensor, "h0", h[i]));
                if (lengths != null) {
                    feeds[i].put("sequence_lens", lengths);
                }
                pinned[i] = new HashMap<>(Map.of("output", outputTensor, "hn", h[1 - i]));
                if (lstm) {
                    feeds[i].put("c0", c[i]);
                    pinned[i].put("cn", c[1 - i]);
                }
            }
            int cap = 1 << 16;
            long[] latencies = new long[cap];
            long count = 0;
            int current = 0;
            long step = 0;
            long process0 = processCpuNanos();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            long end = wall0 + (long) (seconds * 1e9);
            long now = wall0;
            while (now < end) {
                for (int b = 0; b < n; b++) {
                    tokens.put(b, BenchModels.token(step + b * 7919L));
                }
                step++;
                long t0 = System.nanoTime();
                try (OrtSession.Result ignored = session.run(feeds[current], pinned[current])) {
                    current = 1 - current;
                }
                output.get(0, copy);
                now = System.nanoTime();
                latencies[(int) (count % cap)] = now - t0;
                count++;
            }
            long wall = now - wall0;
            long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            long process = processCpuNanos() - process0;
            double[] p = percentiles(new long[][] {latencies}, new long[] {count}, cap);
            return new Run("c_raw_ort", n, count * n, wall / 1e9, cpu / 1e9, process / 1e9, p[0], p[1], n);
        } catch (OrtException e) {
            throw new IllegalStateException("raw ONNX Runtime batch of " + n + " failed: " + e.getMessage(), e);
        } finally {
            tensors.forEach(OnnxTensor::close);
        }
    }

    // ---------------------------------------------------------------- defaults sweep

    private static List<Map<String, Object>> sweep(Plan plan) {
        NetworkSpec spec = BenchModels.spec("lstm", HIDDEN, LAYERS);
        int n = 256;
        int[] batches = plan.quick() ? new int[] {16, 64} : new int[] {16, 32, 64, 128, 256};
        Duration[] delays = {Duration.ZERO, Duration.ofNanos(BatchingModel.DEFAULT_MAX_DELAY_MICROS * 1000L),
                Duration.ofMillis(5)};
        List<Map<String, Object>> rows = new ArrayList<>();
        try (RecurrentModel model = RecurrentModel.fromBytes(BenchModels.onnx(spec))) {
            batched(model, n, plan.warmupSeconds(), 64, Duration.ZERO);
            for (int rep = 0; rep < Math.max(1, plan.repeats() - 1); rep++) {
                for (int batch : batches) {
                    for (Duration delay : delays) {
                        Run r = batched(model, n, plan.seconds() * 0.6, batch, delay);
                        Map<String, Object> row = row("lstm", rep, r);
                        row.put("max_batch_size", batch);
                        row.put("max_delay_us", delay.toNanos() / 1000);
                        rows.add(row);
                    }
                }
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------- memory (child JVM)

    private static Map<String, Object> childMemory(String cell, int sessions) {
        try {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1500m", "-cp", System.getProperty("java.class.path"), BatchingBenchmark.class.getName(),
                    "--memory", cell, Integer.toString(sessions));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String result = null;
            for (String line : new String(process.getInputStream().readAllBytes()).split("\n")) {
                if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                }
            }
            if (process.waitFor() != 0 || result == null) {
                throw new IllegalStateException("memory measurement of " + cell + " failed");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> r = new Gson().fromJson(result, LinkedHashMap.class);
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Opens {@code sessions} batched sessions, steps each once (so each holds its own state), and measures the heap
     * after a full GC and the resident set; then the same for 10,000 StepSessions (native tensors each), for scale.
     */
    static Map<String, Object> memory(String cell, int sessions) {
        NetworkSpec spec = BenchModels.spec(cell, HIDDEN, LAYERS);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cell", cell);
        r.put("sessions", sessions);
        int stateBytes = spec.stateRows() * spec.hiddenSize() * 4 * (spec.cell().hasCellState() ? 2 : 1);
        r.put("state_bytes", stateBytes);
        try (RecurrentModel model = RecurrentModel.fromBytes(BenchModels.onnx(spec))) {
            List<BatchedSession> open = new ArrayList<>(sessions);
            try (BatchingModel batching = BatchingModel.builder().setModel(model).optMaxSessions(sessions)
                    .optMaxQueuedSteps(sessions).build()) {
                // warm everything that is allocated once (ORT arena, scheduler, JIT) before the baseline
                try (BatchedSession s = batching.newSession()) {
                    s.step(1);
                }
                long heap0 = heapAfterGc();
                long rss0 = rssBytes();
                for (int i = 0; i < sessions; i++) {
                    open.add(batching.newSession());
                }
                int chunk = 4096;
                for (int from = 0; from < sessions; from += chunk) {
                    List<CompletableFuture<float[]>> steps = new ArrayList<>();
                    for (int i = from; i < Math.min(sessions, from + chunk); i++) {
                        steps.add(open.get(i).stepAsync(BenchModels.token(i)));
                    }
                    CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).join();
                }
                long heap1 = heapAfterGc();
                long rss1 = rssBytes();
                double perSession = (double) (heap1 - heap0) / sessions;
                r.put("batched_heap_bytes_per_session", perSession);
                r.put("batched_rss_bytes_per_session", (double) (rss1 - rss0) / sessions);
                r.put("batched_heap_mib_total", (heap1 - heap0) / 1048576.0);
                r.put("batched_rss_mib_total", (rss1 - rss0) / 1048576.0);
                r.put("batched_over_state", perSession / stateBytes);
                SessionState check = open.get(sessions - 1).snapshot();
                r.put("check_position", check.position());
                open.forEach(BatchedSession::close);
                open.clear();
            }
            int plain = Math.min(sessions, 10_000);
            long heap0 = heapAfterGc();
            long rss0 = rssBytes();
            List<StepSession> steps = new ArrayList<>(plain);
            for (int i = 0; i < plain; i++) {
                StepSession s = model.newSession();
                s.step(BenchModels.token(i));
                steps.add(s);
            }
            long heap1 = heapAfterGc();
            long rss1 = rssBytes();
            r.put("step_sessions_measured", plain);
            r.put("step_session_rss_bytes_per_session", (double) (rss1 - rss0) / plain);
            r.put("step_session_heap_bytes_per_session", (double) (heap1 - heap0) / plain);
            steps.forEach(StepSession::close);
        }
        return r;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            sleep(0.05);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return -1;
    }

    // ---------------------------------------------------------------- rows, ratios, goals, report

    private static Map<String, Object> row(String cell, int rep, Run r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cell", cell);
        row.put("sequences", r.sequences());
        row.put("contender", r.contender());
        row.put("repetition", rep);
        row.put("steps", r.steps());
        row.put("steps_per_second", r.stepsPerSecond());
        row.put("steps_per_cpu_second", r.stepsPerCpuSecond());
        row.put("thread_cpu_seconds", r.cpuSeconds());
        row.put("process_cpu_seconds", r.processCpuSeconds());
        row.put("steps_per_process_cpu_second", r.steps() / r.processCpuSeconds());
        row.put("wall_seconds", r.wallSeconds());
        row.put("p50_us", r.p50Micros());
        row.put("p99_us", r.p99Micros());
        row.put("mean_batch", r.meanBatch());
        return row;
    }

    private static Map<String, Object> ratioRow(String cell, int n, List<Run[]> reps) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("cell", cell);
        row.put("sequences", n);
        row.put("a_steps_per_cpu_second", median(reps, r -> r[0].stepsPerCpuSecond()));
        row.put("b_steps_per_cpu_second", median(reps, r -> r[1].stepsPerCpuSecond()));
        row.put("c_steps_per_cpu_second", median(reps, r -> r[2].stepsPerCpuSecond()));
        row.put("a_steps_per_second", median(reps, r -> r[0].stepsPerSecond()));
        row.put("b_steps_per_second", median(reps, r -> r[1].stepsPerSecond()));
        row.put("c_steps_per_second", median(reps, r -> r[2].stepsPerSecond()));
        row.put("a_p50_us", median(reps, r -> r[0].p50Micros()));
        row.put("b_p50_us", median(reps, r -> r[1].p50Micros()));
        row.put("c_p50_us", median(reps, r -> r[2].p50Micros()));
        row.put("a_p99_us", median(reps, r -> r[0].p99Micros()));
        row.put("b_p99_us", median(reps, r -> r[1].p99Micros()));
        row.put("c_p99_us", median(reps, r -> r[2].p99Micros()));
        row.put("b_mean_batch", median(reps, r -> r[1].meanBatch()));
        row.put("async_steps_per_cpu_second", median(reps, r -> r[3].stepsPerCpuSecond()));
        row.put("async_steps_per_second", median(reps, r -> r[3].stepsPerSecond()));
        row.put("async_p50_us", median(reps, r -> r[3].p50Micros()));
        row.put("async_p99_us", median(reps, r -> r[3].p99Micros()));
        row.put("async_mean_batch", median(reps, r -> r[3].meanBatch()));
        row.put("async_over_a_cpu", spread(reps, r -> r[3].stepsPerCpuSecond() / r[0].stepsPerCpuSecond()));
        row.put("async_over_c_cpu", spread(reps, r -> r[3].stepsPerCpuSecond() / r[2].stepsPerCpuSecond()));
        row.put("c_over_a_cpu", spread(reps, r -> r[2].stepsPerCpuSecond() / r[0].stepsPerCpuSecond()));
        row.put("b_over_a_cpu", spread(reps, r -> r[1].stepsPerCpuSecond() / r[0].stepsPerCpuSecond()));
        row.put("b_over_c_cpu", spread(reps, r -> r[1].stepsPerCpuSecond() / r[2].stepsPerCpuSecond()));
        row.put("b_over_a_wall", spread(reps, r -> r[1].stepsPerSecond() / r[0].stepsPerSecond()));
        row.put("b_over_a_p50", spread(reps, r -> r[1].p50Micros() / r[0].p50Micros()));
        return row;
    }

    private static double median(List<Run[]> reps, java.util.function.ToDoubleFunction<Run[]> f) {
        return Stats.median(reps.stream().mapToDouble(f).toArray());
    }

    /** {median, min, max} of a per-repetition ratio. */
    private static Map<String, Double> spread(List<Run[]> reps, java.util.function.ToDoubleFunction<Run[]> f) {
        double[] v = reps.stream().mapToDouble(f).toArray();
        return Map.of("median", Stats.median(v), "min", Arrays.stream(v).min().orElseThrow(),
                "max", Arrays.stream(v).max().orElseThrow());
    }

    private static Map<String, Object> goals(List<Map<String, Object>> ratios, List<Map<String, Object>> memory) {
        Map<String, Object> g = new LinkedHashMap<>();
        for (Map<String, Object> r : ratios) {
            String key = r.get("cell") + "_" + r.get("sequences");
            int n = ((Number) r.get("sequences")).intValue();
            if (n == 64) {
                g.put(key + "_b_over_a_cpu_at_least_4", med(r, "b_over_a_cpu") >= 4.0);
                g.put(key + "_b_over_c_cpu_at_least_0.85", med(r, "b_over_c_cpu") >= 0.85);
                g.put(key + "_async_over_a_cpu_at_least_4", med(r, "async_over_a_cpu") >= 4.0);
                g.put(key + "_async_over_c_cpu_at_least_0.85", med(r, "async_over_c_cpu") >= 0.85);
            }
            if (n == 1) {
                g.put(key + "_b_over_a_p50_at_most_1.2", med(r, "b_over_a_p50") <= 1.2);
            }
        }
        for (Map<String, Object> m : memory) {
            g.put(m.get("cell") + "_idle_session_at_most_1.25x_state",
                    ((Number) m.get("batched_over_state")).doubleValue() <= 1.25);
        }
        return g;
    }

    @SuppressWarnings("unchecked")
    private static double med(Map<String, Object> row, String key) {
        return ((Map<String, Number>) row.get(key)).get("median").doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static String ratio(Map<String, Object> row, String key) {
        Map<String, Number> m = (Map<String, Number>) row.get(key);
        return String.format(Locale.ROOT, "%.2f [%.2f..%.2f]", m.get("median").doubleValue(),
                m.get("min").doubleValue(), m.get("max").doubleValue());
    }

    /** The batching section of BENCHMARKS.md. */
    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> results) {
        StringBuilder md = new StringBuilder();
        md.append("## Continuous batching (issue 10)\n\n");
        md.append(results.get("model")).append(". (a) one `StepSession` per sequence, each on its own thread;"
                + " (b) `BatchingModel` (defaults: batch ").append(((Map<String, Object>) results.get("defaults"))
                .get("max_batch_size")).append(", delay ").append(((Map<String, Object>) results.get("defaults"))
                .get("max_delay_us")).append(" µs), one `BatchedSession` per sequence, each on its own thread; (c) raw"
                + " ONNX Runtime on the full batch, one thread (the ceiling). ").append(results.get("method"))
                .append(". Mode: ").append(results.get("mode")).append(", ").append(results.get("cores"))
                .append(" cores.");
        if (results.get("load_average_1m") instanceof List<?> load && !load.isEmpty()) {
            double[] l = load.stream().mapToDouble(x -> ((Number) x).doubleValue()).filter(x -> x >= 0).toArray();
            if (l.length > 0) {
                md.append(String.format(Locale.ROOT, " Load average (1 min) during the contenders' runs: %.1f..%.1f.",
                        Arrays.stream(l).min().getAsDouble(), Arrays.stream(l).max().getAsDouble()));
            }
        }
        md.append("\n\n");
        md.append("| cell | N | steps/CPU-s a / b / c | b÷a CPU | b÷c CPU | steps/s a / b / c | b÷a wall |"
                + " p50 µs a / b / c | p99 µs a / b / c | b÷a p50 | mean batch b |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) results.get("ratios")) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f / %.0f / %.0f | %s | %s | %.0f / %.0f / %.0f | %s"
                            + " | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %s | %.1f |\n",
                    r.get("cell"), ((Number) r.get("sequences")).intValue(),
                    d(r, "a_steps_per_cpu_second"), d(r, "b_steps_per_cpu_second"), d(r, "c_steps_per_cpu_second"),
                    ratio(r, "b_over_a_cpu"), ratio(r, "b_over_c_cpu"),
                    d(r, "a_steps_per_second"), d(r, "b_steps_per_second"), d(r, "c_steps_per_second"),
                    ratio(r, "b_over_a_wall"),
                    d(r, "a_p50_us"), d(r, "b_p50_us"), d(r, "c_p50_us"),
                    d(r, "a_p99_us"), d(r, "b_p99_us"), d(r, "c_p99_us"),
                    ratio(r, "b_over_a_p50"), d(r, "b_mean_batch")));
        }
        md.append("\nAsynchronous driving (b′: N sessions, each a chain of `stepAsync` calls continued on the"
                + " scheduler thread; no thread per sequence):\n\n");
        md.append("| cell | N | steps/CPU-s b′ | b′÷a CPU | b′÷c CPU | c÷a CPU | steps/s b′ | p50 µs b′ | p99 µs b′ |"
                + " mean batch b′ |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) results.get("ratios")) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %s | %s | %s | %.0f | %.0f | %.0f | %.1f |\n",
                    r.get("cell"), ((Number) r.get("sequences")).intValue(), d(r, "async_steps_per_cpu_second"),
                    ratio(r, "async_over_a_cpu"), ratio(r, "async_over_c_cpu"), ratio(r, "c_over_a_cpu"),
                    d(r, "async_steps_per_second"), d(r, "async_p50_us"), d(r, "async_p99_us"),
                    d(r, "async_mean_batch")));
        }
        md.append("\nDefaults sweep (LSTM, 256 sequences, batching only):\n\n");
        md.append("| max batch | delay µs | rep | steps/CPU-s | steps/s | p50 µs | p99 µs | mean batch |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : (List<Map<String, Object>>) results.get("sweep")) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %.0f | %.0f | %.0f | %.0f | %.1f |\n",
                    ((Number) r.get("max_batch_size")).intValue(), ((Number) r.get("max_delay_us")).intValue(),
                    ((Number) r.get("repetition")).intValue(), d(r, "steps_per_cpu_second"),
                    d(r, "steps_per_second"), d(r, "p50_us"), d(r, "p99_us"), d(r, "mean_batch")));
        }
        md.append("\nIdle sessions (each stepped once, so each holds its own state; heap after full GC, child JVM):\n\n");
        md.append("| cell | sessions | state bytes | heap bytes/session | ÷ state | RSS bytes/session | heap MiB total |"
                + " StepSession RSS bytes/session |\n|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> m : (List<Map<String, Object>>) results.get("memory")) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.2f | %.0f | %.0f | %.0f |\n",
                    m.get("cell"), ((Number) m.get("sessions")).intValue(), ((Number) m.get("state_bytes")).intValue(),
                    d(m, "batched_heap_bytes_per_session"), d(m, "batched_over_state"),
                    d(m, "batched_rss_bytes_per_session"), d(m, "batched_heap_mib_total"),
                    d(m, "step_session_rss_bytes_per_session")));
        }
        md.append("\nGoals: ").append(results.get("goals")).append("\n");
        return md.toString();
    }

    private static double d(Map<String, Object> row, String key) {
        return ((Number) row.get(key)).doubleValue();
    }

    // ---------------------------------------------------------------- plumbing

    /** The 1-minute load average from /proc/loadavg, or -1 where there is none. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double[] percentiles(long[][] samples, long[] counts, int cap) {
        int total = 0;
        for (int i = 0; i < samples.length; i++) {
            total += (int) Math.min(counts[i], cap);
        }
        if (total == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        long[] all = new long[total];
        int at = 0;
        for (int i = 0; i < samples.length; i++) {
            int n = (int) Math.min(counts[i], cap);
            System.arraycopy(samples[i], 0, all, at, n);
            at += n;
        }
        Arrays.sort(all);
        return new double[] {all[(int) (0.50 * (total - 1))] / 1e3, all[(int) (0.99 * (total - 1))] / 1e3};
    }

    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** CPU time of the live batching scheduler threads (not their eviction sweeps). */
    private static long schedulerCpuNanos() {
        long sum = 0;
        for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("stepwise-batching-")
                    && !t.getThreadName().endsWith("-evictor")) {
                long c = THREADS.getThreadCpuTime(t.getThreadId());
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    private static OnnxTensor track(List<OnnxTensor> tensors, OnnxTensor t) {
        tensors.add(t);
        return t;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(double seconds) {
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void log(String message) {
        System.err.println("[bench-batching] " + message);
    }
}
