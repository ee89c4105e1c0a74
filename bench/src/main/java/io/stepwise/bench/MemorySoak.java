package io.stepwise.bench;

import com.google.gson.Gson;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.StepSession;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory over a long generation: one session steps the benchmark model {@code steps} times; the heap in use after
 * a full GC and the resident set ({@code VmRSS} from {@code /proc/self/status}) are recorded after a warm-up and at
 * every tenth of the run. A leak of native tensors or Java buffers per step shows as steady growth.
 *
 * <p>Run in its own JVM by {@link BenchmarkSuite}: {@code cell hidden layers steps}; prints {@code RESULT {json}}.
 */
public final class MemorySoak {
    private static final int WARM_UP_STEPS = 20_000;

    private MemorySoak() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("args: expected cell hidden layers steps but got "
                    + Arrays.toString(args));
        }
        String cell = args[0];
        int hidden = Integer.parseInt(args[1]);
        int layers = Integer.parseInt(args[2]);
        long steps = Long.parseLong(args[3]);
        if (steps < 10) {
            throw new IllegalArgumentException("steps: expected at least 10 but got " + steps);
        }
        List<Map<String, Object>> samples = new ArrayList<>();
        long start;
        long end;
        try (RecurrentModel model = RecurrentModel.fromBytes(BenchModels.onnx(BenchModels.spec(cell, hidden, layers)));
             StepSession session = model.newSession()) {
            for (int i = 0; i < WARM_UP_STEPS; i++) {
                session.step(BenchModels.token(i));
            }
            samples.add(sample(0));
            start = System.nanoTime();
            long tenth = steps / 10;
            for (long i = 1; i <= steps; i++) {
                session.step(BenchModels.token(i));
                if (i % tenth == 0) {
                    samples.add(sample(i));
                }
            }
            end = System.nanoTime();
        }
        Map<String, Object> first = samples.get(0);
        Map<String, Object> last = samples.get(samples.size() - 1);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cell", cell);
        out.put("hidden", hidden);
        out.put("layers", layers);
        out.put("steps", steps);
        out.put("warm_up_steps", WARM_UP_STEPS);
        out.put("max_heap_mb", Runtime.getRuntime().maxMemory() / 1048576.0);
        out.put("seconds", (end - start) / 1e9);
        out.put("rss_start_mb", first.get("rss_mb"));
        out.put("rss_end_mb", last.get("rss_mb"));
        out.put("rss_growth_mb", (double) last.get("rss_mb") - (double) first.get("rss_mb"));
        out.put("heap_start_mb", first.get("heap_mb"));
        out.put("heap_end_mb", last.get("heap_mb"));
        out.put("samples", samples);
        System.out.println("RESULT " + new Gson().toJson(out));
    }

    private static Map<String, Object> sample(long step) throws IOException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("step", step);
        s.put("heap_mb", memory.getHeapMemoryUsage().getUsed() / 1048576.0);
        s.put("rss_mb", residentKilobytes() / 1024.0);
        return s;
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
