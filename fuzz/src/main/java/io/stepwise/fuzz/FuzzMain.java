package io.stepwise.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The fuzzer's parent process ({@code make fuzz}). Options (all optional):
 * <pre>
 *   --seconds N      stop after N seconds (default 600)
 *   --cases N        stop after N cases (default 0: no limit)
 *   --seed N         seed of the case generator (default 1); case i is a function of (seed, i) alone
 *   --targets LIST   comma-separated targets and weights, e.g. model:5,state:2 (default model:5,state:2,csv:1,corpus:1,words:1)
 *   --out DIR        output folder (default build/fuzz): crashes/, errors/, work/, summary.txt, summary.json
 *   --timeout-ms N   per-case timeout (default 10000)
 *   --memory-mb N    address-space limit of each child JVM (default 4096)
 *   --batch N        cases per child JVM before a fresh one (default 2000)
 *   --models DIR     the committed models used as extra seeds (default models)
 *   --data DIR       the project's data folder (default data)
 *   --replay TARGET FILE   run one saved case in a child and print its outcome (exit status 1 if a finding)
 * </pre>
 * Every case is written to work/ before the child gets it, so when the child crashes or hangs the parent saves
 * that exact input under crashes/ with a text file naming the mutations and the command that reproduces it.
 * Undocumented exceptions (errors) are saved under errors/, at most five per kind.
 */
public final class FuzzMain {
    private long seconds = 600;
    private long maxCases;
    private long seed = 1;
    private final Map<Target, Integer> weights = new LinkedHashMap<>();
    private Path out = Path.of("build", "fuzz");
    private long timeoutMs = 10_000;
    private long memoryMb = 4096;
    private int batch = 2000;
    private Path models = Path.of("models");
    private Path data = Path.of("data");

    /** Counts of one kind of finding. */
    private static final class Kind {
        final String status;
        final String example;
        int count;
        int saved;

        Kind(String status, String example) {
            this.status = status;
            this.example = example;
        }
    }

    private final Map<String, Map<String, Integer>> outcomes = new TreeMap<>();
    private final Map<String, Kind> kinds = new TreeMap<>();

    public static void main(String[] args) throws Exception {
        FuzzMain main = new FuzzMain();
        if (args.length == 3 && args[0].equals("--replay")) {
            System.exit(main.replay(Target.of(args[1]), Path.of(args[2])));
        }
        main.parse(args);
        int findings = main.fuzz();
        System.exit(findings > 0 ? 1 : 0);
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + ": expected a value");
            }
            String v = args[++i];
            switch (a) {
                case "--seconds" -> seconds = positive(a, v, 0);
                case "--cases" -> maxCases = positive(a, v, 0);
                case "--seed" -> seed = Long.parseLong(v);
                case "--targets" -> {
                    for (String part : v.split(",")) {
                        String[] tw = part.trim().split(":");
                        weights.put(Target.of(tw[0]), tw.length > 1 ? (int) positive(a, tw[1], 1) : 1);
                    }
                }
                case "--out" -> out = Path.of(v);
                case "--timeout-ms" -> timeoutMs = positive(a, v, 100);
                case "--memory-mb" -> memoryMb = positive(a, v, 1024);
                case "--batch" -> batch = (int) positive(a, v, 1);
                case "--models" -> models = Path.of(v);
                case "--data" -> data = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + a + "; see FuzzMain's javadoc");
            }
        }
        if (weights.isEmpty()) {
            weights.put(Target.MODEL, 5);
            weights.put(Target.STATE, 2);
            weights.put(Target.LIMITS, 1);
            weights.put(Target.CSV, 1);
            weights.put(Target.CORPUS, 1);
            weights.put(Target.WORDS, 1);
        }
        if (seconds == 0 && maxCases == 0) {
            throw new IllegalArgumentException("--seconds 0 needs --cases N: the run must be bounded");
        }
    }

    private static long positive(String option, String v, long min) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": expected a number but got '" + v + "'");
        }
        if (n < min) {
            throw new IllegalArgumentException(option + ": expected ≥ " + min + " but got " + n);
        }
        return n;
    }

    /** Runs the campaign; returns the number of findings (crashes, hangs, errors). */
    int fuzz() throws IOException, InterruptedException {
        Path work = out.resolve("work");
        Files.createDirectories(work);
        Files.createDirectories(out.resolve("crashes"));
        Files.createDirectories(out.resolve("errors"));
        Seeds seeds = Seeds.create(work.resolve("seeds"), models, data);
        List<String> command = ChildProcess.command(work.resolve("seeds"), work, memoryMb);
        int totalWeight = weights.values().stream().mapToInt(Integer::intValue).sum();
        long start = System.nanoTime();
        long deadline = seconds == 0 ? Long.MAX_VALUE : start + seconds * 1_000_000_000L;
        long lastReport = start;
        ChildProcess child = null;
        int inChild = 0;
        int restarts = 0;
        long cases = 0;
        System.out.printf(Locale.ROOT, "fuzz: targets %s, %s, seed %d, per-case timeout %d ms, child memory %d MB%n",
                weights, seconds == 0 ? "no time limit" : seconds + " s", seed, timeoutMs, memoryMb);
        try {
            while (System.nanoTime() < deadline && (maxCases == 0 || cases < maxCases)) {
                long id = cases++;
                Random random = new Random(seed * 0x9E3779B97F4A7C15L + id);
                Target target = pick(random, totalWeight);
                List<String> log = new ArrayList<>();
                byte[] input = generate(target, random, seeds, log);
                Path file = work.resolve("case-" + target.id() + ".bin");
                Files.write(file, input);
                Files.writeString(work.resolve("current.txt"), id + " " + target.id() + " " + log + "\n");
                if (child == null || !child.alive() || inChild >= batch) {
                    if (child != null) {
                        child.close();
                    }
                    child = ChildProcess.start(command, work, work.resolve("child.err"));
                    inChild = 0;
                    restarts++;
                }
                inChild++;
                Outcome o = child.run(target, file, timeoutMs);
                record(target, id, o, log, input, child);
                if (o.isFinding()) {
                    child.close();
                    child = null;
                }
                long now = System.nanoTime();
                if (now - lastReport > 15_000_000_000L) {
                    lastReport = now;
                    System.out.printf(Locale.ROOT, "fuzz: %d cases, %.1f cases/s, findings %s%n", cases,
                            cases / ((now - start) / 1e9), findingCounts());
                }
            }
        } finally {
            if (child != null) {
                child.close();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return summarize(cases, elapsed, restarts);
    }

    private Target pick(Random random, int totalWeight) {
        int r = random.nextInt(totalWeight);
        for (Map.Entry<Target, Integer> e : weights.entrySet()) {
            r -= e.getValue();
            if (r < 0) {
                return e.getKey();
            }
        }
        throw new AssertionError();
    }

    static byte[] generate(Target target, Random random, Seeds seeds, List<String> log) {
        List<byte[]> inputs = seeds.of(target);
        byte[] seedInput = inputs.get(random.nextInt(inputs.size()));
        return switch (target) {
            case MODEL, MODEL_RAW -> new ModelMutator(random, log).mutate(seedInput);
            case STATE -> mutateState(seedInput, random, log);
            case LIMITS -> new ByteMutator(random, log).mutateBytes(seedInput);
            case CSV, CORPUS, WORDS -> new ByteMutator(random, log).mutateText(seedInput);
            case SELFTEST -> seedInput;
        };
    }

    /**
     * Session state bytes (magic, version, flags, fingerprint, position at 16, rows at 24, hidden size at 28, the
     * floats, a CRC32): extreme header fields and state values, or byte mutations, and usually a recomputed CRC so
     * that the case gets past the checksum.
     */
    static byte[] mutateState(byte[] seed, Random random, List<String> log) {
        byte[] b = seed.clone();
        ByteBuffer buf = ByteBuffer.wrap(b);
        switch (random.nextInt(5)) {
            case 0 -> {
                long[] positions = {-1, Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE, 1L << 62};
                long p = positions[random.nextInt(positions.length)];
                buf.putLong(16, p);
                log.add("position(" + p + ")");
            }
            case 1 -> {
                int[] sizes = {0, -1, 1, 2, 4, 1 << 16, Integer.MAX_VALUE, Integer.MIN_VALUE};
                int at = random.nextBoolean() ? 24 : 28;
                int v = sizes[random.nextInt(sizes.length)];
                buf.putInt(at, v);
                log.add((at == 24 ? "rows(" : "hidden(") + v + ")");
            }
            case 2 -> {
                float[] extreme = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f};
                int floats = (b.length - 36) / 4;
                int count = 1 + random.nextInt(floats);
                for (int i = 0; i < count; i++) {
                    buf.putFloat(32 + 4 * random.nextInt(floats), extreme[random.nextInt(extreme.length)]);
                }
                log.add("state-values(" + count + ")");
            }
            case 3 -> {
                buf.putShort(6, (short) random.nextInt(4));
                log.add("flags");
            }
            default -> b = new ByteMutator(random, log).mutateBytes(b);
        }
        if (b.length >= 4 && random.nextInt(5) > 0) {
            CRC32 crc = new CRC32();
            crc.update(b, 0, b.length - 4);
            ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
            log.add("crc-fixed");
        }
        return b;
    }

    private void record(Target target, long id, Outcome o, List<String> log, byte[] input, ChildProcess child)
            throws IOException {
        outcomes.computeIfAbsent(target.id(), k -> new TreeMap<>()).merge(o.status(), 1, Integer::sum);
        if (!o.isFinding()) {
            return;
        }
        String key = o.status() + " | " + target.id() + " | " + o.kind();
        Kind kind = kinds.computeIfAbsent(key, k -> new Kind(o.status(), "case " + id + ": " + o.detail()));
        kind.count++;
        boolean crash = !o.status().equals(Outcome.ERROR);
        if (!crash && kind.saved >= 5) {
            return;
        }
        kind.saved++;
        Path dir = out.resolve(crash ? "crashes" : "errors");
        String name = o.status() + "-" + target.id() + "-" + id;
        Path file = dir.resolve(name + ".bin");
        Files.write(file, input);
        StringBuilder note = new StringBuilder();
        note.append("target: ").append(target.id()).append('\n')
            .append("case: ").append(id).append(" (seed ").append(seed).append(")\n")
            .append("outcome: ").append(o.status()).append('\n')
            .append("kind: ").append(o.kind()).append('\n')
            .append("detail: ").append(o.detail()).append('\n')
            .append("mutations: ").append(log).append('\n')
            .append("reproduce: make fuzz-replay FUZZ_TARGET=").append(target.id()).append(" FUZZ_FILE=")
            .append(file).append('\n');
        Path report = child.errorReport();
        if (Files.isRegularFile(report)) {
            Files.move(report, dir.resolve(name + ".hs_err.log"), StandardCopyOption.REPLACE_EXISTING);
            note.append("JVM error report: ").append(dir.resolve(name + ".hs_err.log")).append('\n');
        }
        if (crash) {
            note.append("child stderr (last lines):\n");
            child.stderrTail(15).forEach(l -> note.append("  ").append(l).append('\n'));
        }
        Files.writeString(dir.resolve(name + ".txt"), note.toString());
        System.out.println("fuzz: " + o.status().toUpperCase(Locale.ROOT) + " case " + id + " (" + target.id()
                + "): " + o.kind() + " — saved " + file);
    }

    private Map<String, Integer> findingCounts() {
        Map<String, Integer> counts = new TreeMap<>();
        kinds.values().forEach(k -> counts.merge(k.status, k.count, Integer::sum));
        return counts;
    }

    private int summarize(long cases, double elapsed, int children) throws IOException {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "fuzz: %d cases in %.0f s (%.1f cases/s), %d child JVMs, seed %d%n",
                cases, elapsed, cases / Math.max(elapsed, 1e-9), children, seed));
        outcomes.forEach((t, m) -> s.append("  ").append(t).append(": ").append(m).append('\n'));
        Map<String, Integer> findings = findingCounts();
        s.append("findings: ").append(findings.isEmpty() ? "none" : findings).append('\n');
        kinds.forEach((k, v) -> s.append("  ").append(v.count).append(" × ").append(k).append("\n      e.g. ")
                .append(v.example).append('\n'));
        System.out.print(s);
        Files.writeString(out.resolve("summary.txt"), s.toString());
        StringBuilder json = new StringBuilder("{\n");
        json.append(String.format(Locale.ROOT, "  \"cases\": %d,%n  \"seconds\": %.1f,%n  \"cases_per_second\": %.2f,%n"
                + "  \"seed\": %d,%n", cases, elapsed, cases / Math.max(elapsed, 1e-9), seed));
        json.append("  \"outcomes\": {");
        json.append(String.join(", ", outcomes.entrySet().stream().map(e -> quote(e.getKey()) + ": {"
                + String.join(", ", e.getValue().entrySet().stream().map(x -> quote(x.getKey()) + ": "
                + x.getValue()).toList()) + "}").toList()));
        json.append("},\n  \"findings\": [");
        json.append(String.join(", ", kinds.entrySet().stream().map(e -> "{\"kind\": " + quote(e.getKey())
                + ", \"count\": " + e.getValue().count + "}").toList()));
        json.append("]\n}\n");
        Files.writeString(out.resolve("summary.json"), json.toString());
        return findings.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Runs one saved case in a fresh child with the campaign's protections. */
    int replay(Target target, Path file) throws IOException, InterruptedException {
        Path work = out.resolve("work");
        Files.createDirectories(work);
        Seeds.create(work.resolve("seeds"), models, data);
        Path copy = work.resolve("replay-" + target.id() + ".bin");
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        long start = System.nanoTime();
        try (ChildProcess child = ChildProcess.start(ChildProcess.command(work.resolve("seeds"), work, memoryMb),
                work, work.resolve("replay.err"))) {
            Outcome o = child.run(target, copy, timeoutMs);
            System.out.printf(Locale.ROOT, "%s (%s): %s [%s] %s (%.0f ms)%n", file, target.id(), o.status(), o.kind(),
                    o.detail(), (System.nanoTime() - start) / 1e6);
            return o.isFinding() ? 1 : 0;
        }
    }

    /** For tests: a harness with the given options. */
    static FuzzMain withArgs(String... args) {
        FuzzMain m = new FuzzMain();
        m.parse(args);
        return m;
    }

    static String summaryText(Path out) throws IOException {
        return Files.readString(out.resolve("summary.txt"), StandardCharsets.UTF_8);
    }
}
