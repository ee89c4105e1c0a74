package io.stepwise.bench;

import com.google.gson.Gson;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepSession;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The memory soak, Stepwise's one leak check: one session steps a model many times, and the resident set
 * ({@code VmRSS} from {@code /proc/self/status}), the heap in use after a full GC and the memory outside the Java
 * heap (resident set minus the committed heap) are sampled after a warm-up and at regular points. A leak of native
 * tensors or Java buffers per step shows as steady growth: one small native tensor per step would add ~100 MB per
 * million steps.
 *
 * <p>Two ways to run it:
 * <ul>
 *   <li>{@code MemorySoak cell hidden layers steps}: the benchmark suite's section ({@link BenchmarkSuite} runs it
 *       in its own JVM); the benchmark language model of that shape, 20,000 warm-up steps, a sample every tenth of
 *       the run; prints {@code RESULT {json}}.</li>
 *   <li>{@code MemorySoak --check [steps=1000000] [maxGrowthMiB=64] [model.onnx]}: {@code make soak}; a 1-layer
 *       LSTM of hidden size 32 (or the given model file, loaded by path), 200,000 warm-up steps, the session reset
 *       every 10,000 steps, a progress line every 100,000; exits with status 1 when the memory outside the heap grew
 *       by more than the bound after warm-up. Run it with a fixed heap (e.g. {@code -Xms64m -Xmx64m}), so that the
 *       resident set itself stays flat.</li>
 * </ul>
 */
public final class MemorySoak {
    private static final int SUITE_WARM_UP = 20_000;
    private static final int CHECK_WARM_UP = 200_000;
    private static final int CHECK_REPORT_EVERY = 100_000;
    private static final int CHECK_RESET_EVERY = 10_000;

    private MemorySoak() {
    }

    /** Runs one of the two modes described in the class comment. */
    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("--check")) {
            System.exit(check(Arrays.copyOfRange(args, 1, args.length)));
        }
        suite(args);
    }

    /** One sample: steps done, resident set, heap in use after GC and committed heap, all in KiB. */
    record Sample(long step, long rssKiB, long heapUsedKiB, long heapCommittedKiB) {
        long offHeapKiB() {
            return rssKiB - heapCommittedKiB;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", step);
            m.put("heap_mb", heapUsedKiB / 1024.0);
            m.put("rss_mb", rssKiB / 1024.0);
            m.put("offheap_mb", offHeapKiB() / 1024.0);
            return m;
        }
    }

    /** Steps {@code session} {@code warmUp + steps} times and samples at every multiple of {@code every}. */
    private static List<Sample> soak(StepSession session, int vocabulary, long warmUp, long steps, long every,
                                     long resetEvery, java.util.function.Consumer<Sample> onSample)
            throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (long i = 0; i < warmUp; i++) {
            session.step(BenchModels.token(i) % vocabulary);
        }
        Sample first = sample(0);
        samples.add(first);
        onSample.accept(first);
        for (long i = 1; i <= steps; i++) {
            session.step(BenchModels.token(i) % vocabulary);
            if (resetEvery > 0 && i % resetEvery == 0) {
                session.reset();
            }
            if (i % every == 0 || i == steps) {
                Sample s = sample(i);
                samples.add(s);
                onSample.accept(s);
            }
        }
        return samples;
    }

    private static void suite(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("args: expected cell hidden layers steps (or --check ...) but got "
                    + Arrays.toString(args));
        }
        String cell = args[0];
        int hidden = Integer.parseInt(args[1]);
        int layers = Integer.parseInt(args[2]);
        long steps = Long.parseLong(args[3]);
        if (steps < 10) {
            throw new IllegalArgumentException("steps: expected at least 10 but got " + steps);
        }
        List<Sample> samples;
        long start = System.nanoTime();
        try (RecurrentModel model = RecurrentModel.fromBytes(BenchModels.onnx(BenchModels.spec(cell, hidden, layers)));
             StepSession session = model.newSession()) {
            samples = soak(session, BenchModels.VOCABULARY, SUITE_WARM_UP, steps, steps / 10, 0, s -> { });
        }
        long end = System.nanoTime();
        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cell", cell);
        out.put("hidden", hidden);
        out.put("layers", layers);
        out.put("steps", steps);
        out.put("warm_up_steps", SUITE_WARM_UP);
        out.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576.0);
        out.put("seconds", (end - start) / 1e9);
        out.put("rss_start_mb", first.rssKiB() / 1024.0);
        out.put("rss_end_mb", last.rssKiB() / 1024.0);
        out.put("rss_growth_mb", (last.rssKiB() - first.rssKiB()) / 1024.0);
        out.put("offheap_growth_mb", (last.offHeapKiB() - first.offHeapKiB()) / 1024.0);
        out.put("heap_start_mb", first.heapUsedKiB() / 1024.0);
        out.put("heap_end_mb", last.heapUsedKiB() / 1024.0);
        out.put("samples", samples.stream().map(Sample::toMap).toList());
        System.out.println("RESULT " + new Gson().toJson(out));
    }

    /** {@code make soak}: returns the exit status. */
    private static int check(String[] args) throws IOException {
        long steps = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        long maxGrowthKiB = (args.length > 1 ? Long.parseLong(args[1]) : 64) * 1024;
        if (steps < 1 || maxGrowthKiB < 0) {
            throw new IllegalArgumentException("args: expected steps ≥ 1 and maxGrowthMiB ≥ 0 but got "
                    + Arrays.toString(args));
        }
        Path file = args.length > 2 ? Path.of(args[2]) : defaultModel();
        long[] worst = {0};
        long[] last = {System.nanoTime(), 0};
        long[] measured = {System.nanoTime()};
        String cell;
        try (RecurrentModel model = RecurrentModel.load(file); StepSession session = model.newSession()) {
            cell = model.info().cell().toString();
            int vocabulary = Math.max(1, model.info().inputSize());
            System.out.printf(Locale.ROOT, "soak: %s, %,d warm-up steps, then %,d steps (reset every %,d)%n",
                    model, CHECK_WARM_UP, steps, CHECK_RESET_EVERY);
            List<Sample> samples = new ArrayList<>();
            soak(session, vocabulary, CHECK_WARM_UP, steps, CHECK_REPORT_EVERY, CHECK_RESET_EVERY, s -> {
                long now = System.nanoTime();
                if (s.step() == 0) {
                    measured[0] = now;
                }
                double rate = (s.step() - last[1]) / ((now - last[0]) / 1e9);
                last[0] = now;
                last[1] = s.step();
                if (!samples.isEmpty()) {
                    worst[0] = Math.max(worst[0], s.offHeapKiB() - samples.get(0).offHeapKiB());
                }
                samples.add(s);
                System.out.printf(Locale.ROOT, "steps %,10d  %,9.0f steps/s  heap used %,8d KiB  rss %,8d KiB"
                                + "  off-heap %,8d KiB  (%+,d KiB)%n", s.step(), s.step() == 0 ? 0 : rate,
                        s.heapUsedKiB(), s.rssKiB(), s.offHeapKiB(), s.offHeapKiB() - samples.get(0).offHeapKiB());
            });
        }
        double total = steps / ((System.nanoTime() - measured[0]) / 1e9);
        System.out.printf(Locale.ROOT, "%s: %,d steps, %,.0f steps/s after warm-up, off-heap growth after warm-up %,d KiB"
                + " (bound %,d KiB)%n", cell, steps, total, worst[0], maxGrowthKiB);
        if (worst[0] > maxGrowthKiB) {
            System.err.printf(Locale.ROOT, "FAIL: memory outside the Java heap grew by %,d KiB after warm-up, more"
                    + " than %,d KiB%n", worst[0], maxGrowthKiB);
            return 1;
        }
        return 0;
    }

    /** The benchmark language model, 1-layer LSTM of hidden size 32, in a temporary file. */
    private static Path defaultModel() throws IOException {
        Path dir = Files.createTempDirectory("stepwise-soak");
        Path file = dir.resolve("soak.onnx");
        Files.write(file, BenchModels.onnx(BenchModels.spec("lstm", 32, 1)));
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return file;
    }

    private static Sample sample(long step) throws IOException {
        System.gc();
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return new Sample(step, residentKilobytes(), heap.getUsed() / 1024, heap.getCommitted() / 1024);
    }

    /** VmRSS of this process in kB, from /proc/self/status (Linux). */
    static long residentKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("/proc/self/status: no VmRSS line; resident memory is only measured on Linux");
    }
}
