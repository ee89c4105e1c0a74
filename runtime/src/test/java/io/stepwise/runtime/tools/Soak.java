package io.stepwise.runtime.tools;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * Leak check: steps a tiny LSTM language model N times on one session (resetting every 10,000 steps), printing
 * heap and resident set size every 100,000 steps, and exits with status 1 when the memory outside the Java heap
 * (RSS minus the committed heap) grows by more than the bound after warm-up (the first 200,000 steps). The
 * committed heap is subtracted because the JVM grows it freely toward -Xmx, which is not a leak; run with a fixed
 * heap (e.g. -Xms64m -Xmx64m) to see RSS itself flat. A leak of one small native tensor per step would add
 * ~100 MB per million steps, far above the default 64 MiB bound.
 *
 * <pre>
 * java -cp runtime test classpath io.stepwise.runtime.tools.Soak [steps=1000000] [maxGrowthMiB=64] [model.onnx]
 * </pre>
 */
public final class Soak {
    private static final int REPORT_EVERY = 100_000;
    private static final int WARM_UP = 200_000;

    private Soak() {
    }

    public static void main(String[] args) throws IOException {
        long steps = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        long maxGrowthKiB = (args.length > 1 ? Long.parseLong(args[1]) : 64) * 1024;
        Path model = args.length > 2 ? Path.of(args[2]) : tinyModel();
        Random rnd = new Random(1);
        long baseline = -1;
        long worst = 0;
        try (RecurrentModel m = RecurrentModel.load(model); StepSession s = m.newSession()) {
            int vocab = Math.max(1, m.info().inputSize());
            long t0 = System.nanoTime();
            long tReport = t0;
            for (long i = 1; i <= steps; i++) {
                s.step(rnd.nextInt(vocab));
                if (i % 10_000 == 0) {
                    s.reset();
                }
                if (i % REPORT_EVERY == 0 || i == steps) {
                    long now = System.nanoTime();
                    long rss = rssKiB();
                    Runtime rt = Runtime.getRuntime();
                    long heapKiB = (rt.totalMemory() - rt.freeMemory()) / 1024;
                    long since = i % REPORT_EVERY == 0 ? REPORT_EVERY : i % REPORT_EVERY;
                    double rate = since / ((now - tReport) / 1e9);
                    tReport = now;
                    long offHeap = rss - rt.totalMemory() / 1024;
                    if (i >= WARM_UP) {
                        if (baseline < 0) {
                            baseline = offHeap;
                        }
                        worst = Math.max(worst, offHeap - baseline);
                    }
                    System.out.printf(Locale.ROOT, "steps %,10d  %,9.0f steps/s  heap used %,8d KiB  rss %,8d KiB"
                                    + "  off-heap %,8d KiB%s%n", i, rate, heapKiB, rss, offHeap,
                            baseline < 0 ? "  (warm-up)" : String.format(Locale.ROOT, "  (%+,d KiB)", offHeap - baseline));
                }
            }
            double total = steps / ((System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "%s: %,d steps, %,.0f steps/s overall, off-heap growth after warm-up %,d KiB (bound %,d KiB)%n",
                    m.info().cell(), steps, total, worst, maxGrowthKiB);
        }
        if (worst > maxGrowthKiB) {
            System.err.printf(Locale.ROOT, "FAIL: memory outside the Java heap grew by %,d KiB after warm-up, more than %,d KiB%n",
                    worst, maxGrowthKiB);
            System.exit(1);
        }
    }

    /** Resident set size from /proc/self/status, or -1 where there is no procfs. */
    static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** A 1-layer LSTM, vocabulary 16, embedding 8, hidden 32, with random weights, in a temporary file. */
    private static Path tinyModel() throws IOException {
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).setHiddenSize(32).setTokenInput(16, 8)
                .setOutputSize(16).build();
        Random rnd = new Random(3);
        int rows = 4 * 32;
        NetworkWeights w = NetworkWeights.builder(spec).setEmbedding(random(rnd, 16 * 8))
                .setLayer(0, 0, new LayerWeights(random(rnd, rows * 8), random(rnd, rows * 32), random(rnd, rows),
                        random(rnd, rows)))
                .setHead(random(rnd, 16 * 32), random(rnd, 16)).build();
        Path dir = Files.createTempDirectory("stepwise-soak");
        Path file = dir.resolve("soak.onnx");
        OnnxExporter.builder().build().write(spec, w, ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL).build(), file);
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return file;
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian() * 0.3f;
        }
        return a;
    }
}
