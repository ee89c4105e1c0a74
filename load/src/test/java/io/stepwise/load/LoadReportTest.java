package io.stepwise.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class LoadReportTest {
    @Test
    void comparesReplicaCountsAtEqualBatchingAndBatchingAtEqualReplicas() {
        List<String[]> pairs = LoadReport.comparisons(List.of("1 replica, batching off", "2 replicas, batching off",
                "1 replica, batching on", "2 replicas, batching on"));
        List<String> named = pairs.stream().map(p -> p[0] + " / " + p[1]).sorted().toList();
        assertEquals(List.of(
                "1 replica, batching on / 1 replica, batching off",
                "2 replicas, batching off / 1 replica, batching off",
                "2 replicas, batching on / 1 replica, batching on",
                "2 replicas, batching on / 2 replicas, batching off"), named);
    }

    private static String cell(String target, int round, double rate, double p99) {
        return """
                {"target": "%s", "streams": 16, "round": %d, "stepsPerSecond": %s, "stepsPerServerCpuSecond": 100,
                 "serverCpuCores": 1, "maxRssMiBPerReplica": 300, "sse": {"tokensPerSecond": 5},
                 "tokenSteps": {"p50Ms": 1, "p95Ms": 2, "p99Ms": %s, "statuses": {"200": 10, "0": 1}},
                 "observationSteps": {"p50Ms": 1, "p99Ms": 2, "statuses": {"200": 3}}}
                """.formatted(target, round, rate, p99);
    }

    @Test
    void writesRatiosWithTheirSpreadAndThePlot(@TempDir Path dir) throws Exception {
        String cells = "{\"cells\": [" + String.join(",",
                cell("1 replica, batching off", 0, 100, 10), cell("2 replicas, batching off", 0, 180, 8),
                cell("1 replica, batching off", 1, 100, 10), cell("2 replicas, batching off", 1, 220, 5)) + "]}";
        Files.writeString(dir.resolve("cells.json"), cells);
        Files.writeString(dir.resolve("env.json"), "{\"cores\": 2, \"notes\": [\"shared machine\"]}");
        Files.writeString(dir.resolve("fault-kill-on.json"), """
                {"pass": true, "streams": 2, "stepsAcknowledged": 8, "stepsExpected": 8, "outputsCompared": 8,
                 "outputsBitEqual": 3, "outputsMaxAbsDiff": 4.0E-6, "finalStatesBitEqual": 0,
                 "finalStateMaxAbsDiff": 2.0E-6, "finalPositionsRight": 2, "tolerance": 1.0E-5}
                """);
        Files.writeString(dir.resolve("overload.json"), """
                {"clients": 128, "rssMiBBefore": 340, "rssMiBAfter": 350,
                 "overload": {"seconds": 10, "accepted": {"p50Ms": 20, "statuses": {"200": 5, "503": 7}},
                              "refused": {"count": 7, "withRetryAfter": 7, "p50Ms": 60, "p95Ms": 200, "p99Ms": 300},
                              "probe": {"count": 40, "statuses": {"204": 40}, "p50Ms": 55, "p95Ms": 190, "p99Ms": 280},
                              "maxRssMiB": 360},
                 "recovery": {"accepted": {"statuses": {"200": 9}}, "firstSuccessAfterSeconds": 0.1},
                 "front": {"byNginx": {"count": 6, "statuses": {"503": 6}, "nginxTimeP50Ms": 0, "nginxTimeP99Ms": 1,
                                       "nginxTimeMaxMs": 3},
                           "byReplica": {"count": 1, "statuses": {"503": 1}, "nginxTimeP50Ms": 40,
                                         "nginxTimeP99Ms": null}}}
                """);
        Path out = dir.resolve("report/load-test");
        Files.createDirectories(out.getParent());
        assertEquals(0, new picocli.CommandLine(new LoadReport()).execute("--dir", dir.toString(),
                "--out", out.toString()));
        String md = Files.readString(Path.of(out + ".md"));
        // Round 0: 1.8×, round 1: 2.2×; the median of two is their mean.
        assertTrue(md.contains("| 2 replicas, batching off ÷ 1 replica, batching off | 16 | 2.00× [1.80 – 2.20] | 1.00×"
                + " [1.00 – 1.00] | 1.00× [1.00 – 1.00] |"), md);
        assertTrue(md.contains("200 [180 – 220]"), md);
        assertTrue(md.contains("I/O: 2, 200: 26"), md);
        assertTrue(md.contains("- shared machine"), md);
        assertTrue(md.contains("## Fault: kill -9 of one replica during the load, batching on\n\n**Pass.** 8 of 8 steps"
                + " acknowledged; 3 of 8 outputs the client received are bit-equal"), md);
        assertTrue(md.contains("(largest |difference| 4.0E-6, accepted up to 1.0E-5: the batching front's contract"
                + " against a plain StepSession); 0 of 2 final session states bit-equal (largest |difference| 2.0E-6),"
                + " 2 at the right position"), md);
        assertTrue(md.contains("(40 probes), took p50 55.00 / p95 190 / p99 280 ms (refusals p95: 200 ms)"), md);
        assertTrue(md.contains("The load balancer's refusal log: 6 refused by nginx itself ({\"503\":6}), nginx's time p50 0.00"
                + " / p99 1.00 / max 3.00 ms; 1 refused by the replica behind it ({\"503\":1}), nginx's time p50 40.00 / p99 – ms."), md);
        JsonNode json = ApiClient.JSON.readTree(Path.of(out + ".json").toFile());
        assertEquals(4, json.get("cells").get("cells").size());
        byte[] png = Files.readAllBytes(Path.of(out + ".png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);

        // Only the overload phase rerun: the rest of the report comes from the previous report's JSON.
        Path again = dir.resolve("again");
        Files.createDirectories(again);
        Files.writeString(again.resolve("overload.json"), Files.readString(dir.resolve("overload.json"))
                .replace("\"clients\": 128", "\"clients\": 64").replace("\"p99Ms\": 300", "\"p99Ms\": 1500")
                .replace("\"p99Ms\": 280", "\"p99Ms\": 1400"));
        Path out2 = dir.resolve("report2/load-test");
        Files.createDirectories(out2.getParent());
        assertEquals(0, new picocli.CommandLine(new LoadReport()).execute("--dir", again.toString(),
                "--base", out + ".json", "--out", out2.toString()));
        String md2 = Files.readString(Path.of(out2 + ".md"));
        assertTrue(md2.contains("64 clients that ignore Retry-After"), md2);
        assertTrue(md2.contains("**fast** for this machine (p99 within 1.25× of the probe's"), md2);
        assertTrue(md.contains("ms — **fast**;"), md);
        assertTrue(md2.contains("200 [180 – 220]") && md2.contains("- shared machine"), md2);
        JsonNode json2 = ApiClient.JSON.readTree(Path.of(out2 + ".json").toFile());
        assertEquals(4, json2.get("cells").get("cells").size());
        assertEquals(64, json2.get("overload").get("clients").asInt());
    }
}
