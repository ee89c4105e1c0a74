package io.stepwise.load;

import java.awt.BasicStroke;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * Turns one load-test run's JSON files (environment, grid, fault runs, overload) into the report:
 * {@code <out>.json} (everything), {@code <out>.md} (tables, ratios with their spread over rounds) and
 * {@code <out>.png} (step latency p50/p99 against the number of streams, one line per contender).
 */
@Command(name = "report", description = "Write benchmarks/load-test.md, .json and .png from a run's JSON files.")
final class LoadReport implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "The run's folder (env.json, cells.json, fault-*.json,"
            + " overload.json)")
    Path dir;
    @Option(names = "--out", required = true, description = "Path without extension, e.g. benchmarks/load-test")
    Path out;
    @Option(names = "--base", description = "A previous report's JSON (e.g. benchmarks/load-test.json): every"
            + " section whose file --dir lacks is taken from it, so that one phase can be rerun alone (e.g. only"
            + " overload.json) and the report rewritten around it")
    Path base;

    @Override
    public Integer call() throws Exception {
        JsonNode previous = null;
        if (base != null) {
            if (!Files.isRegularFile(base)) {
                throw new IllegalArgumentException("--base: expected a previous report's JSON file but got '" + base
                        + "' (no such file)");
            }
            previous = ApiClient.JSON.readTree(base.toFile());
        }
        Map<String, Object> all = new LinkedHashMap<>();
        for (String name : List.of("env", "cells", "fault-kill", "fault-kill-on", "fault-redis", "overload")) {
            Path f = dir.resolve(name + ".json");
            JsonNode kept = previous == null ? null : previous.get(name);
            all.put(name, Files.exists(f) ? ApiClient.JSON.readTree(f.toFile())
                    : kept == null || kept.isNull() ? null : kept);
        }
        JsonNode root = ApiClient.JSON.valueToTree(all);
        LoadTool.writeJson(Path.of(out + ".json"), root);
        String md = markdown(root, Path.of(out + ".png").getFileName().toString());
        Path mdFile = Path.of(out + ".md");
        Path tmp = Files.createTempFile(mdFile.toAbsolutePath().getParent(), "load-test", ".tmp");
        Files.writeString(tmp, md);
        Files.move(tmp, mdFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        if (root.get("cells") != null && !root.get("cells").isNull()) {
            plot(root.get("cells").get("cells"), Path.of(out + ".png"));
        }
        System.out.println("report: " + mdFile + ", " + out + ".json, " + out + ".png");
        return 0;
    }

    static String markdown(JsonNode root, String png) {
        StringBuilder b = new StringBuilder();
        JsonNode env = root.get("env");
        b.append("# Load test: replicas behind nginx, sessions in Redis\n\n");
        b.append("Written by `make load-test` (scripts/load-test.sh → `io.stepwise.load.LoadTool`). ");
        b.append("Numbers from one run; every figure below comes from the JSON next to this file.\n\n");
        if (env != null && !env.isNull()) {
            b.append("| | |\n|---|---|\n");
            for (Map.Entry<String, JsonNode> e : env.properties()) {
                if (!e.getKey().equals("notes")) {
                    b.append("| ").append(e.getKey()).append(" | ").append(text(e.getValue())).append(" |\n");
                }
            }
            b.append('\n');
            if (env.has("notes")) {
                for (JsonNode n : env.get("notes")) {
                    b.append("- ").append(n.asString()).append('\n');
                }
                b.append('\n');
            }
        }
        JsonNode cells = root.get("cells") == null || root.get("cells").isNull() ? null : root.get("cells").get("cells");
        if (cells != null) {
            grid(b, cells);
            b.append("![step latency against streams](").append(png).append(")\n\n");
        }
        fault(b, root.get("fault-kill"), "Fault: kill -9 of one replica during the load");
        fault(b, root.get("fault-kill-on"), "Fault: kill -9 of one replica during the load, batching on");
        fault(b, root.get("fault-redis"), "Fault: Redis killed and restarted during the load");
        overload(b, root.get("overload"));
        return b.toString();
    }

    private static void grid(StringBuilder b, JsonNode cells) {
        Map<String, Map<Integer, List<JsonNode>>> by = group(cells);
        b.append("## Load grid\n\n");
        b.append("Each cell: N streams, each stepping its own session one step per request (3 of 4 streams a token"
                + " of `charlm-rnn`, every 4th an observation of `co2-rnn`, each with `If-Match`), plus concurrent"
                + " SSE generations; contenders interleaved, rounds repeated. Median over rounds, [min – max] in"
                + " brackets. *server CPU*: the replicas' user+system CPU seconds per wall second; *steps/CPU-s*:"
                + " (steps + generated tokens) per replica CPU-second.\n\n");
        b.append("| contender | N | steps/s | token step p50 / p95 / p99 ms | observation p50 / p99 ms |"
                + " SSE tokens/s | server CPU | steps/CPU-s | statuses (step requests) | RSS MiB/replica |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (var t : by.entrySet()) {
            for (var n : t.getValue().entrySet()) {
                List<JsonNode> cs = n.getValue();
                b.append("| ").append(t.getKey()).append(" | ").append(n.getKey()).append(" | ")
                        .append(spread(cs, "stepsPerSecond")).append(" | ")
                        .append(fmt(median(cs, "tokenSteps", "p50Ms"))).append(" / ")
                        .append(fmt(median(cs, "tokenSteps", "p95Ms"))).append(" / ")
                        .append(fmt(median(cs, "tokenSteps", "p99Ms"))).append(" | ")
                        .append(fmt(median(cs, "observationSteps", "p50Ms"))).append(" / ")
                        .append(fmt(median(cs, "observationSteps", "p99Ms"))).append(" | ")
                        .append(fmt(median(cs, "sse", "tokensPerSecond"))).append(" | ")
                        .append(fmt(median(cs, "serverCpuCores"))).append(" | ")
                        .append(spread(cs, "stepsPerServerCpuSecond")).append(" | ")
                        .append(statuses(cs)).append(" | ")
                        .append(fmt(max(cs, "maxRssMiBPerReplica"))).append(" |\n");
            }
        }
        b.append('\n');
        List<String> labels = new ArrayList<>(by.keySet());
        b.append("### Ratios (same round, same N; median [min – max] over rounds)\n\n");
        b.append("| comparison | N | steps/s ratio | steps/CPU-s ratio | SSE tokens/s ratio | p99 ratio |\n"
                + "|---|---|---|---|---|---|\n");
        for (String[] pair : comparisons(labels)) {
            for (int n : by.get(pair[0]).keySet()) {
                List<JsonNode> a = by.get(pair[0]).get(n);
                List<JsonNode> c = by.get(pair[1]) == null ? null : by.get(pair[1]).get(n);
                if (c == null) {
                    continue;
                }
                b.append("| ").append(pair[0]).append(" ÷ ").append(pair[1]).append(" | ").append(n).append(" | ")
                        .append(ratio(a, c, "stepsPerSecond", null)).append(" | ")
                        .append(ratio(a, c, "stepsPerServerCpuSecond", null)).append(" | ")
                        .append(ratio(a, c, "sse", "tokensPerSecond")).append(" | ")
                        .append(ratio(a, c, "tokenSteps", "p99Ms")).append(" |\n");
            }
        }
        b.append('\n');
    }

    /** "2 replicas, batching off" ÷ "1 replica, batching off", and batching on ÷ off at equal replicas. */
    static List<String[]> comparisons(List<String> labels) {
        List<String[]> out = new ArrayList<>();
        for (String a : labels) {
            for (String c : labels) {
                if (a.equals(c)) {
                    continue;
                }
                boolean replicas = a.startsWith("2 ") && c.startsWith("1 ")
                        && a.substring(a.indexOf(',')).equals(c.substring(c.indexOf(',')));
                boolean batching = a.endsWith("batching on") && c.endsWith("batching off")
                        && a.substring(0, a.indexOf(',')).equals(c.substring(0, c.indexOf(',')));
                if (replicas || batching) {
                    out.add(new String[]{a, c});
                }
            }
        }
        return out;
    }

    private static void fault(StringBuilder b, JsonNode f, String title) {
        if (f == null || f.isNull()) {
            return;
        }
        b.append("## ").append(title).append("\n\n");
        b.append(f.path("pass").asBoolean() ? "**Pass.** " : "**FAIL.** ")
                .append(f.path("stepsAcknowledged").asLong()).append(" of ").append(f.path("stepsExpected").asLong())
                .append(" steps acknowledged; ").append(f.path("outputsBitEqual").asLong()).append(" of ")
                .append(f.path("outputsCompared").asLong()).append(" outputs the client received are bit-equal to an"
                        + " uninterrupted local StepSession run of the same tokens (largest |difference| ")
                .append(f.path("outputsMaxAbsDiff").asDouble());
        double tolerance = f.path("tolerance").asDouble();
        if (tolerance > 0) {
            // Batched calls may round differently from batch-1 ones; a lost or doubled step moves far more.
            b.append(", accepted up to ").append(tolerance).append(": the batching front's contract against a plain"
                    + " StepSession");
        }
        b.append("); ")
                .append(f.path("finalStatesBitEqual").asLong()).append(" of ").append(f.path("streams").asLong())
                .append(" final session states bit-equal (largest |difference| ")
                .append(f.path("finalStateMaxAbsDiff").asDouble()).append("), ")
                .append(f.path("finalPositionsRight").asLong())
                .append(" at the right position. Retries: ").append(text(f.path("retriesByCause")))
                .append("; requests applied whose answer was lost (409 at If-Match + 1, output read back from the"
                        + " state): ").append(f.path("appliedButAnswerLost").asLong())
                .append("; deliberate duplicates rejected by the position check (409): ")
                .append(f.path("duplicatesSentAndRejected").asLong()).append("; longest stall of a stream: ")
                .append(f.path("longestStallSeconds").asDouble()).append(" s.\n\n");
        b.append("| | |\n|---|---|\n");
        for (Map.Entry<String, JsonNode> e : f.properties()) {
            b.append("| ").append(e.getKey()).append(" | ").append(text(e.getValue())).append(" |\n");
        }
        b.append('\n');
    }

    private static void overload(StringBuilder b, JsonNode o) {
        if (o == null || o.isNull()) {
            return;
        }
        b.append("## Overload\n\n");
        JsonNode ov = o.path("overload");
        JsonNode ref = ov.path("refused");
        boolean refusals = ref.path("count").asLong() > 0 && ref.path("p99Ms").isNumber();
        double p99 = ref.path("p99Ms").asDouble();
        // Against the floor when there is one: a refusal cannot be faster than any answer on the same machine.
        double floor = ov.path("probe").path("p99Ms").isNumber() ? ov.path("probe").path("p99Ms").asDouble() : Double.NaN;
        boolean atFloor = refusals && Double.isFinite(floor) && p99 <= 1.25 * floor;
        boolean fast = refusals && (p99 < 1000 || atFloor);
        b.append(o.path("clients").asInt()).append(" clients that ignore Retry-After for ")
                .append(ov.path("seconds").asDouble()).append(" s: statuses ").append(text(ov.path("accepted")
                        .path("statuses"))).append("; ").append(ref.path("count").asLong()).append(" refusals (429/503), ")
                .append(ref.path("withRetryAfter").asLong()).append(" with Retry-After, answered in p50 ")
                .append(fmt(ref.path("p50Ms").asDouble())).append(" / p99 ").append(fmt(ref.path("p99Ms").asDouble()))
                .append(" ms — ").append(fast ? (p99 < 1000 ? "**fast**" : "**fast** for this machine (p99 within 1.25× of the probe's,"
                        + " below)") : "**not fast** (refusals waited behind queued work)")
                .append("; accepted requests p50 ").append(fmt(ov.path("accepted").path("p50Ms").asDouble()))
                .append(" ms. Resident memory of the replica: ").append(fmt(o.path("rssMiBBefore").asDouble()))
                .append(" MiB before, at most ").append(fmt(ov.path("maxRssMiB").asDouble())).append(" MiB during, ")
                .append(fmt(o.path("rssMiBAfter").asDouble())).append(" MiB after (fixed heap). Recovery with ")
                .append("polite clients: statuses ").append(text(o.path("recovery").path("accepted").path("statuses")))
                .append(", first success after ").append(o.path("recovery").path("firstSuccessAfterSeconds").asDouble())
                .append(" s.\n\n");
        JsonNode probe = ov.path("probe");
        if (probe.isObject()) {
            b.append("The floor: a probe that nginx answers itself (`GET /lb-probe`, 204), sent during the flood through"
                    + " the same client, one at a time 20 ms apart (").append(probe.path("count").asLong())
                    .append(" probes), took p50 ").append(fmt(probe.path("p50Ms").asDouble()))
                    .append(" / p95 ").append(fmt(probe.path("p95Ms").asDouble())).append(" / p99 ")
                    .append(fmt(probe.path("p99Ms").asDouble())).append(" ms (refusals p95: ")
                    .append(fmt(ref.path("p95Ms").asDouble())).append(" ms): what any answer costs the load client on"
                            + " this machine under this flood, whoever answers it.\n\n");
        }
        front(b, o.path("front"));
        b.append("| | |\n|---|---|\n");
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            b.append("| ").append(e.getKey()).append(" | ").append(text(e.getValue())).append(" |\n");
        }
        b.append('\n');
    }

    /**
     * Where the refusals were made and nginx's own time for them (from its refusal log): the load client's figures
     * above also hold the client's own wait for a core on the shared machine.
     */
    private static void front(StringBuilder b, JsonNode f) {
        if (f.isMissingNode() || f.isNull()) {
            return;
        }
        JsonNode n = f.path("byNginx");
        JsonNode r = f.path("byReplica");
        b.append("The load balancer's refusal log: ").append(n.path("count").asLong())
                .append(" refused by nginx itself (").append(text(n.path("statuses"))).append("), nginx's time p50 ")
                .append(ms(n.path("nginxTimeP50Ms"))).append(" / p99 ").append(ms(n.path("nginxTimeP99Ms")))
                .append(" / max ").append(ms(n.path("nginxTimeMaxMs"))).append(" ms; ").append(r.path("count").asLong())
                .append(" refused by the replica behind it (").append(text(r.path("statuses")))
                .append("), nginx's time p50 ").append(ms(r.path("nginxTimeP50Ms"))).append(" / p99 ")
                .append(ms(r.path("nginxTimeP99Ms"))).append(" ms. nginx's time runs from reading the request to"
                        + " logging the answer (millisecond resolution: 0 is under 1 ms); the difference to the client's"
                        + " figures above is the load client's own queueing for a core on the shared machine.\n\n");
    }

    private static String ms(JsonNode v) {
        return v.isNumber() ? fmt(v.asDouble()) : "–";
    }

    static void plot(JsonNode cells, Path png) throws java.io.IOException {
        Map<String, Map<Integer, List<JsonNode>>> by = group(cells);
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("Token step latency under load (median over rounds)")
                .xAxisTitle("concurrent streams").yAxisTitle("latency, ms (log)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setMarkerSize(7);
        for (var t : by.entrySet()) {
            double[] xs = t.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            for (String q : List.of("p50Ms", "p99Ms")) {
                double[] ys = t.getValue().values().stream().mapToDouble(cs -> median(cs, "tokenSteps", q)).toArray();
                if (Arrays.stream(ys).anyMatch(y -> !(y > 0))) {
                    continue;
                }
                XYSeries s = chart.addSeries(t.getKey() + " " + q.substring(0, 3), xs, ys);
                if (q.startsWith("p50")) {
                    s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                            new float[]{6f, 4f}, 0f));
                }
            }
        }
        Path tmp = Files.createTempFile(png.toAbsolutePath().getParent(), "load-test", ".png");
        BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static Map<String, Map<Integer, List<JsonNode>>> group(JsonNode cells) {
        Map<String, Map<Integer, List<JsonNode>>> by = new LinkedHashMap<>();
        Set<String> order = new LinkedHashSet<>();
        for (JsonNode c : cells) {
            order.add(c.get("target").asString());
        }
        List<String> sorted = new ArrayList<>(order);
        sorted.sort(null);
        for (String t : sorted) {
            by.put(t, new TreeMap<>());
        }
        for (JsonNode c : cells) {
            by.get(c.get("target").asString()).computeIfAbsent(c.get("streams").asInt(), k -> new ArrayList<>()).add(c);
        }
        return by;
    }

    private static double value(JsonNode c, String field, String sub) {
        JsonNode v = sub == null ? c.get(field) : c.get(field) == null ? null : c.get(field).get(sub);
        return v == null || !v.isNumber() ? Double.NaN : v.asDouble();
    }

    static double median(List<JsonNode> cs, String field, String sub) {
        double[] v = cs.stream().mapToDouble(c -> value(c, field, sub)).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static double median(List<JsonNode> cs, String field) {
        return median(cs, field, null);
    }

    private static double max(List<JsonNode> cs, String field) {
        return cs.stream().mapToDouble(c -> value(c, field, null)).filter(Double::isFinite).max().orElse(Double.NaN);
    }

    private static String spread(List<JsonNode> cs, String field) {
        double[] v = cs.stream().mapToDouble(c -> value(c, field, null)).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return "–";
        }
        return fmt(median(cs, field)) + (v.length > 1 ? " [" + fmt(v[0]) + " – " + fmt(v[v.length - 1]) + "]" : "");
    }

    /** Round by round a ÷ c, then the median and range of those ratios. */
    private static String ratio(List<JsonNode> a, List<JsonNode> c, String field, String sub) {
        List<Double> rs = new ArrayList<>();
        for (JsonNode x : a) {
            for (JsonNode y : c) {
                if (x.get("round").asInt() == y.get("round").asInt()) {
                    double r = value(x, field, sub) / value(y, field, sub);
                    if (Double.isFinite(r)) {
                        rs.add(r);
                    }
                }
            }
        }
        if (rs.isEmpty()) {
            return "–";
        }
        double[] v = rs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double med = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, "%.2f×", med)
                + (v.length > 1 ? String.format(Locale.ROOT, " [%.2f – %.2f]", v[0], v[v.length - 1]) : "");
    }

    private static String statuses(List<JsonNode> cs) {
        Map<String, Long> sum = new TreeMap<>();
        for (JsonNode c : cs) {
            for (String kind : List.of("tokenSteps", "observationSteps")) {
                JsonNode s = c.get(kind).get("statuses");
                for (Map.Entry<String, JsonNode> e : s.properties()) {
                    sum.merge(e.getKey(), e.getValue().asLong(), Long::sum);
                }
            }
        }
        StringBuilder b = new StringBuilder();
        sum.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k.equals("0") ? "I/O" : k).append(": ")
                .append(v));
        return b.toString();
    }

    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String text(JsonNode v) {
        String s = v.isString() ? v.asString() : v.toString();
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
