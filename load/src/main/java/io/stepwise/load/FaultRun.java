package io.stepwise.load;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StepSession;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.JsonNode;

/**
 * A fault run: S streams, each stepping its own session K times one token per request with {@code If-Match}, while
 * the script breaks something (kill -9 of a replica, a Redis restart) once a given share of the steps is done. A
 * request that gets no answer, or a 5xx/429, is sent again — the same token with the same {@code If-Match}. A 409
 * whose position is exactly one past the {@code If-Match} means the first attempt was applied and only its answer
 * was lost; the step's output is then read back from the session's exported state (its last output), which is
 * exact because each request carries one step. Every R-th step is deliberately sent twice to show that the
 * position check rejects a duplicate. Afterwards every output each stream received, and every session's final
 * state, are compared with a local {@link StepSession} fed the same tokens in one uninterrupted run.
 */
final class FaultRun {
    /** What a fault run is asked to do. */
    record Spec(String label, String url, String model, Path modelFile, int streams, int steps, long seed,
                int replayEvery, double markAt, Path markFile, double seconds, double tolerance) {
    }

    private FaultRun() {
    }

    static Map<String, Object> run(HttpClient http, Spec spec) throws InterruptedException, IOException {
        ApiClient api = new ApiClient(http, spec.url(), Duration.ofSeconds(10));
        long deadline = System.nanoTime() + (long) (spec.seconds() * 1e9);
        try (RecurrentModel model = RecurrentModel.load(spec.modelFile())) {
            int vocabulary = model.info().outputSize();
            int[][] tokens = new int[spec.streams()][spec.steps()];
            for (int s = 0; s < spec.streams(); s++) {
                SplittableRandom random = new SplittableRandom(spec.seed() * 1_000_003L + s);
                for (int k = 0; k < spec.steps(); k++) {
                    tokens[s][k] = random.nextInt(vocabulary);
                }
            }
            String[] ids = new String[spec.streams()];
            float[][][] received = new float[spec.streams()][spec.steps()][];
            Map<String, LongAdder> retries = new ConcurrentHashMap<>();
            LongAdder recovered = new LongAdder();
            LongAdder replaysRejected = new LongAdder();
            LongAdder acknowledged = new LongAdder();
            List<String> anomalies = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicLong done = new AtomicLong();
            AtomicBoolean marked = new AtomicBoolean(spec.markFile() == null);
            long total = (long) spec.streams() * spec.steps();
            long[] longestStallNanos = new long[spec.streams()];
            long start = System.nanoTime();
            AtomicLong markNanos = new AtomicLong(-1);

            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < spec.streams(); i++) {
                final int s = i;
                threads.add(LoadCell.daemon(() -> {
                    try {
                        ids[s] = createWithRetry(api, spec.model(), deadline, retries);
                        if (ids[s] == null) {
                            anomalies.add("stream " + s + ": no session created before the deadline");
                            return;
                        }
                        long lastOk = System.nanoTime();
                        for (int k = 0; k < spec.steps(); k++) {
                            int[] input = {tokens[s][k]};
                            boolean replay = spec.replayEvery() > 0 && k % spec.replayEvery() == spec.replayEvery() - 1;
                            String outcome = stepOnce(api, ids[s], k, input, deadline, retries, recovered, received[s]);
                            if (outcome != null) {
                                anomalies.add("stream " + s + " step " + k + ": " + outcome);
                                return;
                            }
                            acknowledged.increment();
                            long now = System.nanoTime();
                            longestStallNanos[s] = Math.max(longestStallNanos[s], now - lastOk);
                            lastOk = now;
                            if (replay) {
                                // The same request again, as a client would after losing the answer.
                                ApiClient.Reply r = sendQuietly(api, ids[s], k, input);
                                if (r != null && r.status() == 409 && r.position().orElse(-1) == k + 1) {
                                    replaysRejected.increment();
                                } else if (r != null && r.ok()) {
                                    anomalies.add("stream " + s + " step " + k + ": a replayed step was applied"
                                            + " twice (position " + r.position() + ")");
                                    return;
                                }
                            }
                            if (done.incrementAndGet() >= spec.markAt() * total && marked.compareAndSet(false, true)) {
                                markNanos.set(System.nanoTime() - start);
                                Files.writeString(spec.markFile(), Long.toString(done.get()));
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IOException e) {
                        anomalies.add("stream " + s + ": " + e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            double wall = (System.nanoTime() - start) / 1e9;

            // Compare with one uninterrupted local run of the same tokens.
            long outputsCompared = 0;
            long outputsBitEqual = 0;
            long missing = 0;
            double maxDiff = 0;
            int statesEqual = 0;
            double maxStateDiff = 0;
            int positionsRight = 0;
            for (int si = 0; si < spec.streams(); si++) {
                final int s = si;
                try (StepSession local = model.newSession()) {
                    for (int k = 0; k < spec.steps(); k++) {
                        float[] expected = local.step(tokens[s][k]);
                        float[] got = received[s][k];
                        if (got == null) {
                            missing++;
                            continue;
                        }
                        outputsCompared++;
                        if (Arrays.equals(expected, got)) {
                            outputsBitEqual++;
                        }
                        maxDiff = Math.max(maxDiff, maxAbsDiff(expected, got));
                    }
                    if (ids[s] == null) {
                        continue;
                    }
                    ApiClient.Reply st = withRetry(() -> api.state(ids[s]), deadline + 30_000_000_000L);
                    if (st == null || !st.ok()) {
                        anomalies.add("stream " + s + ": its state could not be read back (status "
                                + (st == null ? "none" : st.status()) + ")");
                        continue;
                    }
                    JsonNode body = st.body();
                    SessionState server = SessionState.fromBytes(ApiClient.base64(body.get("state")));
                    SessionState expected = local.snapshot();
                    if (body.get("position").asLong() == spec.steps() && server.position() == expected.position()) {
                        positionsRight++;
                    }
                    double d = Math.max(maxAbsDiff(expected.hidden(), server.hidden()),
                            expected.cell().isPresent() ? maxAbsDiff(expected.cell().get(), server.cell().get()) : 0);
                    maxStateDiff = Math.max(maxStateDiff, d);
                    if (Arrays.equals(expected.toBytes(), server.toBytes())) {
                        statesEqual++;
                    }
                    withRetry(() -> api.delete(ids[s]), deadline + 30_000_000_000L);
                }
            }
            long stall = Arrays.stream(longestStallNanos).max().orElse(0);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", spec.label());
            m.put("streams", spec.streams());
            m.put("stepsPerStream", spec.steps());
            m.put("seconds", LoadCell.round3(wall));
            m.put("faultAtSeconds", markNanos.get() < 0 ? null : LoadCell.round3(markNanos.get() / 1e9));
            m.put("stepsAcknowledged", acknowledged.sum());
            m.put("stepsExpected", total);
            Map<String, Long> r = new TreeMap<>();
            retries.forEach((k, v) -> r.put(k, v.sum()));
            m.put("retriesByCause", r);
            m.put("appliedButAnswerLost", recovered.sum());
            m.put("duplicatesSentAndRejected", replaysRejected.sum());
            m.put("outputsCompared", outputsCompared);
            m.put("outputsMissing", missing);
            m.put("outputsBitEqual", outputsBitEqual);
            m.put("outputsMaxAbsDiff", maxDiff);
            m.put("finalPositionsRight", positionsRight);
            m.put("finalStatesBitEqual", statesEqual);
            m.put("finalStateMaxAbsDiff", maxStateDiff);
            m.put("longestStallSeconds", LoadCell.round3(stall / 1e9));
            m.put("anomalies", anomalies.subList(0, Math.min(20, anomalies.size())));
            m.put("anomalyCount", anomalies.size());
            boolean pass = anomalies.isEmpty() && missing == 0 && outputsCompared == total
                    && positionsRight == spec.streams() && maxDiff <= spec.tolerance()
                    && maxStateDiff <= spec.tolerance();
            m.put("tolerance", spec.tolerance());
            m.put("pass", pass);
            return m;
        }
    }

    /**
     * Steps once, retrying until applied; fills {@code out[k]}. Returns null on success, else why the stream
     * cannot go on (the session moved without us, or is gone).
     */
    private static String stepOnce(ApiClient api, String id, int k, int[] input, long deadline,
                                   Map<String, LongAdder> retries, LongAdder recovered, float[][] out)
            throws InterruptedException, IOException {
        for (int attempt = 0; ; attempt++) {
            if (System.nanoTime() > deadline) {
                return "deadline passed while retrying";
            }
            ApiClient.Reply r;
            try {
                r = api.step(id, k, input);
            } catch (IOException e) {
                count(retries, "io:" + e.getClass().getSimpleName());
                pause(attempt, null);
                continue;
            }
            if (r.status() == 200) {
                if (r.position().orElse(-1) != k + 1) {
                    return "200 at position " + r.position() + ", expected " + (k + 1);
                }
                out[k] = r.outputs()[0];
                return null;
            }
            if (r.status() == 409) {
                long p = r.position().orElse(-1);
                if (p == k + 1) {
                    // Our earlier attempt was applied; its answer was lost. The state's last output is that step's.
                    ApiClient.Reply st = withRetry(() -> api.state(id), deadline);
                    if (st == null || !st.ok() || st.body().get("position").asLong() != k + 1) {
                        return "409 at " + p + " but the state could not be read back at that position";
                    }
                    out[k] = ApiClient.floats(st.body().get("lastOutput"));
                    recovered.increment();
                    return null;
                }
                return "409: the session is at position " + p + ", expected " + k + " or " + (k + 1)
                        + (p < k ? " (acknowledged steps were lost)" : " (steps were applied twice)");
            }
            if (r.status() == 404) {
                return "404: the session is gone";
            }
            if (r.status() >= 400 && r.status() < 500 && r.status() != 429) {
                return "unexpected " + r.status() + ": " + r.body();
            }
            count(retries, Integer.toString(r.status()));
            pause(attempt, r.retryAfter());
        }
    }

    private static ApiClient.Reply sendQuietly(ApiClient api, String id, long ifMatch, int[] input)
            throws InterruptedException {
        try {
            return api.step(id, ifMatch, input);
        } catch (IOException e) {
            return null;
        }
    }

    private static String createWithRetry(ApiClient api, String model, long deadline, Map<String, LongAdder> retries)
            throws InterruptedException {
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            try {
                ApiClient.Reply r = api.createSession(model);
                if (r.status() == 201) {
                    return r.body().get("id").asString();
                }
                count(retries, "create:" + r.status());
                pause(attempt, r.retryAfter());
            } catch (IOException e) {
                count(retries, "create:io");
                pause(attempt, null);
            }
        }
        return null;
    }

    interface Call {
        ApiClient.Reply call() throws IOException, InterruptedException;
    }

    /** Retries a read (or delete) through I/O errors and 5xx until the deadline; null when it never answered. */
    static ApiClient.Reply withRetry(Call call, long deadline) throws InterruptedException {
        ApiClient.Reply last = null;
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            try {
                last = call.call();
                if (last.status() < 500 && last.status() != 429) {
                    return last;
                }
            } catch (IOException e) {
                last = null;
            }
            pause(attempt, null);
        }
        return last;
    }

    private static void count(Map<String, LongAdder> retries, String cause) {
        retries.computeIfAbsent(cause, c -> new LongAdder()).increment();
    }

    /** Retry-After when given (capped at 2 s), else 20 ms doubling to 1 s. */
    private static void pause(int attempt, String retryAfter) throws InterruptedException {
        long ms = 20L << Math.min(attempt, 6);
        if (retryAfter != null) {
            try {
                ms = Math.min(2000, Long.parseLong(retryAfter.trim()) * 1000);
            } catch (NumberFormatException e) {
                // keep the exponential pause
            }
        }
        Thread.sleep(Math.min(ms, 1000));
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }
}
