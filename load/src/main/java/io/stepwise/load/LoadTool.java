package io.stepwise.load;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code make load-test}'s client (scripts/load-test.sh drives it): {@code cells} measures the load grid,
 * {@code fault} runs a fault run checked against a local StepSession, {@code overload} floods a replica,
 * {@code nginx-shed} prints the nginx front that sheds overload itself, and {@code report} turns their JSON files into benchmarks/load-test.md, .json and .png.
 */
@Command(name = "stepwise-load", mixinStandardHelpOptions = true,
        subcommands = {LoadTool.Cells.class, LoadTool.Fault.class, LoadTool.Overload.class, LoadReport.class,
                NginxShedding.class},
        description = "Load generator and report for the Stepwise reference service (make load-test).")
public final class LoadTool {
    private LoadTool() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTool()).execute(args));
    }

    static void writeJson(Path out, Object value) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, out.getFileName().toString(), ".tmp");
        Files.writeString(tmp, ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value));
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static int vocabulary(HttpClient http, String url, String model) throws IOException, InterruptedException {
        ApiClient.Reply r = new ApiClient(http, url, Duration.ofSeconds(30)).model(model);
        if (r.status() != 200) {
            throw new IllegalStateException("GET " + url + "/v1/models/" + model + ": status " + r.status());
        }
        return r.body().get("outputSize").asInt();
    }

    @Command(name = "cells", description = "The load grid: every stream count × every target, interleaved, repeated.")
    static final class Cells implements Callable<Integer> {
        @Option(names = "--target", required = true, description = "label|url|pid,pid (repeat)")
        List<String> targets;
        @Option(names = "--streams", split = ",", defaultValue = "16,64,256")
        List<Integer> streams;
        @Option(names = "--rounds", defaultValue = "2")
        int rounds;
        @Option(names = "--seconds", defaultValue = "8", description = "Per cell")
        double seconds;
        @Option(names = "--max-requests", defaultValue = "50000", description = "Step requests per cell, at most")
        int maxRequests;
        @Option(names = "--generations", defaultValue = "4", description = "Concurrent SSE generations per cell")
        int generations;
        @Option(names = "--max-new-tokens", defaultValue = "32")
        int maxNewTokens;
        @Option(names = "--token-model", defaultValue = "charlm-rnn")
        String tokenModel;
        @Option(names = "--observe-model", defaultValue = "co2-rnn")
        String observeModel;
        @Option(names = "--observe-every", defaultValue = "4", description = "Every k-th stream pushes observations")
        int observeEvery;
        @Option(names = "--warmup-seconds", defaultValue = "5", description = "Unrecorded load on every target"
                + " first, so that the replicas' JIT has compiled the hot paths")
        double warmupSeconds;
        @Option(names = "--out", required = true)
        Path out;

        @Override
        public Integer call() throws Exception {
            List<Target> ts = targets.stream().map(Target::parse).toList();
            HttpClient http = ApiClient.newHttpClient();
            int vocabulary = vocabulary(http, ts.get(0).url(), tokenModel);
            int most = streams.stream().mapToInt(Integer::intValue).max().orElse(16);
            Map<String, LoadCell.Pool> pools = new LinkedHashMap<>();
            for (Target t : ts) {
                pools.put(t.label(), new LoadCell.Pool(Math.max(16, most)));
            }
            if (warmupSeconds > 0) {
                for (Target t : ts) {
                    LoadCell.run(http, new LoadCell.Spec(t, 16, generations, warmupSeconds, maxRequests, tokenModel,
                            vocabulary, observeModel, observeEvery, maxNewTokens, -1), pools.get(t.label()));
                    System.out.printf("warm-up of %s done%n", t.label());
                }
            }
            List<Map<String, Object>> cells = new ArrayList<>();
            int total = rounds * streams.size() * ts.size();
            for (int round = 0; round < rounds; round++) {
                for (int n : streams) {
                    for (int j = 0; j < ts.size(); j++) {
                        // Each round starts with a different contender, so that none always runs first.
                        Target t = ts.get((j + round) % ts.size());
                        LoadCell.Spec spec = new LoadCell.Spec(t, n, generations, seconds, maxRequests, tokenModel,
                                vocabulary, observeModel, observeEvery, maxNewTokens, round);
                        Map<String, Object> cell = LoadCell.run(http, spec, pools.get(t.label()));
                        cells.add(cell);
                        System.out.printf("cell %d/%d  %-28s N=%-4d %8.1f steps/s  p50 %6.1f ms  p99 %7.1f ms"
                                        + "  server %.2f cores  %s%n", cells.size(), total, t.label(), n,
                                (double) cell.get("stepsPerSecond"),
                                (double) ((Map<?, ?>) cell.get("tokenSteps")).get("p50Ms"),
                                (double) ((Map<?, ?>) cell.get("tokenSteps")).get("p99Ms"),
                                (double) cell.get("serverCpuCores"),
                                ((Map<?, ?>) cell.get("tokenSteps")).get("statuses"));
                        writeJson(out, Map.of("finished", Instant.now().toString(), "cells", cells));
                        Thread.sleep(500);
                    }
                }
            }
            for (Target t : ts) {
                pools.get(t.label()).close(http, t);
            }
            return 0;
        }
    }

    @Command(name = "fault", description = "Deterministic streams with retries; outputs and final states checked"
            + " against a local StepSession run.")
    static final class Fault implements Callable<Integer> {
        @Option(names = "--label", required = true)
        String label;
        @Option(names = "--url", required = true)
        String url;
        @Option(names = "--model", defaultValue = "charlm-rnn")
        String model;
        @Option(names = "--model-file", required = true)
        Path modelFile;
        @Option(names = "--streams", defaultValue = "32")
        int streams;
        @Option(names = "--steps", defaultValue = "150", description = "Steps per stream, one token per request")
        int steps;
        @Option(names = "--seed", defaultValue = "7")
        long seed;
        @Option(names = "--replay-every", defaultValue = "25", description = "Send every k-th step twice; 0 = never")
        int replayEvery;
        @Option(names = "--mark-at", defaultValue = "0.3", description = "Share of steps done when the mark file is"
                + " written (the script breaks something then)")
        double markAt;
        @Option(names = "--mark-file")
        Path markFile;
        @Option(names = "--seconds", defaultValue = "240", description = "Bound on the whole run")
        double seconds;
        @Option(names = "--tolerance", defaultValue = "0", description = "Largest |difference| accepted against the"
                + " local run (0: bit-equal values expected; raise it for batched serving)")
        double tolerance;
        @Option(names = "--out", required = true)
        Path out;

        @Override
        public Integer call() throws Exception {
            Map<String, Object> r = FaultRun.run(ApiClient.newHttpClient(), new FaultRun.Spec(label, url, model,
                    modelFile, streams, steps, seed, replayEvery, markAt, markFile, seconds, tolerance));
            writeJson(out, r);
            System.out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
            return Boolean.TRUE.equals(r.get("pass")) ? 0 : 1;
        }
    }

    @Command(name = "overload", description = "Offered load above capacity, then a polite load.")
    static final class Overload implements Callable<Integer> {
        @Option(names = "--url", required = true)
        String url;
        @Option(names = "--pids", split = ",", description = "The replicas' process ids (memory)")
        List<Long> pids = new ArrayList<>();
        @Option(names = "--model", defaultValue = "charlm-rnn")
        String model;
        @Option(names = "--clients", defaultValue = "128")
        int clients;
        @Option(names = "--seconds", defaultValue = "10")
        double seconds;
        @Option(names = "--polite-clients", defaultValue = "4")
        int politeClients;
        @Option(names = "--polite-seconds", defaultValue = "6")
        double politeSeconds;
        @Option(names = "--max-requests", defaultValue = "200000")
        int maxRequests;
        @Option(names = "--probe-path", description = "A path the front answers itself (e.g. /lb-probe): its"
                + " latency during the flood is the floor any answer costs on this machine")
        String probePath;
        @Option(names = "--out", required = true)
        Path out;

        @Override
        public Integer call() throws Exception {
            HttpClient http = ApiClient.newHttpClient();
            int vocabulary = vocabulary(http, url, model);
            Map<String, Object> r = new LinkedHashMap<>(OverloadRun.run(http, new OverloadRun.Spec(url, pids, model,
                    vocabulary, clients, seconds, politeClients, politeSeconds, maxRequests, probePath)));
            writeJson(out, r);
            System.out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
            return 0;
        }
    }
}
