package io.stepwise.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One measured cell: N concurrent streams against one target, each stepping its own session one request per step
 * (a token for the language model, an observation for the forecaster, every {@code observeEvery}-th stream), plus
 * G concurrent SSE generations, for at most {@code seconds} and at most {@code maxRequests} step requests. Sessions
 * are created before the clock starts and deleted after it stops.
 */
final class LoadCell {
    /** What a cell is asked to do. */
    record Spec(Target target, int streams, int generations, double seconds, int maxRequests, String tokenModel,
                int vocabulary, String observeModel, int observeEvery, int maxNewTokens, int round) {
    }

    private LoadCell() {
    }

    /**
     * A target's sessions, kept from cell to cell so that a cell of 256 streams does not first spend its time
     * creating 256 sessions: cell N steps the first N. Sessions are created when first needed and deleted by
     * {@link #close}.
     */
    static final class Pool {
        final String[] ids;
        final boolean[] observing;
        final long[] positions;
        final Latencies creates;

        Pool(int size) {
            ids = new String[size];
            observing = new boolean[size];
            positions = new long[size];
            creates = new Latencies(size * 5);
        }

        void close(HttpClient http, Target target) throws InterruptedException {
            deleteAll(new ApiClient(http, target.url(), Duration.ofSeconds(30)), ids);
        }
    }

    static Map<String, Object> run(HttpClient http, Spec spec, Pool pool) throws InterruptedException {
        if (pool.ids.length < spec.streams()) {
            throw new IllegalArgumentException("pool: " + pool.ids.length + " sessions for " + spec.streams()
                    + " streams");
        }
        ApiClient api = new ApiClient(http, spec.target().url(), Duration.ofSeconds(30));
        String[] ids = pool.ids;
        boolean[] observing = pool.observing;
        long[] positions = pool.positions;
        Latencies creates = pool.creates;
        createAll(api, spec, ids, observing, creates);

        Latencies steps = new Latencies(Math.max(1, spec.maxRequests()));
        Latencies observations = new Latencies(Math.max(1, spec.maxRequests()));
        Latencies firstTokens = new Latencies(100_000);
        LongAdder sseTokens = new LongAdder();
        Map<Integer, LongAdder> sseStatuses = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicLong budget = new AtomicLong(spec.maxRequests());
        double rssBefore = ProcStats.maxRssMiB(spec.target().pids());
        double cpu0 = ProcStats.cpuSeconds(spec.target().pids());
        long client0 = clientCpuNanos();
        long start = System.nanoTime();
        long deadline = start + (long) (spec.seconds() * 1e9);
        List<Thread> threads = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < spec.streams(); i++) {
            if (ids[i] == null) {
                continue;
            }
            final int s = i;
            threads.add(daemon(() -> {
                SplittableRandom random = new SplittableRandom(spec.round() * 100_003L + s);
                double level = 400 + random.nextDouble() * 10;
                await(go);
                while (System.nanoTime() < deadline && budget.getAndDecrement() > 0) {
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        ApiClient.Reply r;
                        if (observing[s]) {
                            level += random.nextDouble() - 0.45;
                            r = api.observe(ids[s], positions[s], new double[][]{{level}}, 1);
                        } else {
                            r = api.step(ids[s], positions[s], new int[]{random.nextInt(spec.vocabulary())});
                        }
                        status = r.status();
                        if (r.position().isPresent()) {
                            positions[s] = r.position().getAsLong();
                        }
                        backOff(r);
                    } catch (IOException e) {
                        status = 0;
                    } catch (InterruptedException e) {
                        return;
                    }
                    (observing[s] ? observations : steps).record(status, System.nanoTime() - t0);
                }
            }));
        }
        for (int g = 0; g < spec.generations(); g++) {
            final int gi = g;
            threads.add(daemon(() -> {
                long seed = spec.round() * 1_000L + gi;
                await(go);
                while (System.nanoTime() < deadline) {
                    try {
                        ApiClient.Generated r = api.generateSse(spec.tokenModel(), "The ", spec.maxNewTokens(), seed++);
                        sseStatuses.computeIfAbsent(r.status(), k -> new LongAdder()).increment();
                        sseTokens.add(r.tokens());
                        if (r.tokens() > 0) {
                            firstTokens.record(200, r.firstTokenNanos());
                        }
                        if (r.status() == 429 || r.status() == 503) {
                            Thread.sleep(200);
                        }
                    } catch (IOException e) {
                        sseStatuses.computeIfAbsent(0, k -> new LongAdder()).increment();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        go.countDown();
        double rssMax = rssBefore;
        for (Thread t : threads) {
            while (t.isAlive()) {
                t.join(250);
                rssMax = Math.max(rssMax, ProcStats.maxRssMiB(spec.target().pids()));
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double cpu = ProcStats.cpuSeconds(spec.target().pids()) - cpu0;
        double clientCpu = (clientCpuNanos() - client0) / 1e9;

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", spec.target().label());
        m.put("replicas", spec.target().pids().size());
        m.put("streams", spec.streams());
        m.put("generations", spec.generations());
        m.put("round", spec.round());
        m.put("seconds", round3(wall));
        long stepsOk = steps.ok() + observations.ok();
        m.put("steps", stepsOk);
        m.put("stepsPerSecond", round3(stepsOk / wall));
        m.put("tokenSteps", latencyView(steps));
        m.put("observationSteps", latencyView(observations));
        m.put("sessionsCreatedSoFar", creates.ok());
        m.put("createStatuses", creates.statuses());
        Map<String, Object> sse = new LinkedHashMap<>();
        Map<String, Long> sseCounts = new java.util.TreeMap<>();
        sseStatuses.forEach((k, v) -> sseCounts.put(Integer.toString(k), v.sum()));
        sse.put("statuses", sseCounts);
        sse.put("tokens", sseTokens.sum());
        sse.put("tokensPerSecond", round3(sseTokens.sum() / wall));
        double[] ft = firstTokens.sortedMillis();
        sse.put("firstTokenP50Ms", round3(Latencies.quantile(ft, 0.5)));
        sse.put("firstTokenP99Ms", round3(Latencies.quantile(ft, 0.99)));
        m.put("sse", sse);
        m.put("serverCpuSeconds", round3(cpu));
        m.put("serverCpuCores", round3(cpu / wall));
        // SSE tokens are steps too: each is one step of a session on the server.
        m.put("stepsPerServerCpuSecond", round3((stepsOk + sseTokens.sum()) / cpu));
        m.put("clientCpuSeconds", round3(clientCpu));
        m.put("maxRssMiBPerReplica", round3(rssMax));
        m.put("loadAverage", ProcStats.loadAverage());
        return m;
    }

    private static void createAll(ApiClient api, Spec spec, String[] ids, boolean[] observing, Latencies creates)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        int workers = Math.min(16, spec.streams());
        for (int w = 0; w < workers; w++) {
            final int first = w;
            threads.add(daemon(() -> {
                for (int i = first; i < spec.streams(); i += workers) {
                    if (ids[i] != null) {
                        continue;
                    }
                    observing[i] = spec.observeModel() != null && spec.observeEvery() > 0
                            && i % spec.observeEvery() == spec.observeEvery() - 1;
                    for (int attempt = 0; attempt < 5 && ids[i] == null; attempt++) {
                        long t0 = System.nanoTime();
                        try {
                            ApiClient.Reply r = api.createSession(observing[i] ? spec.observeModel()
                                    : spec.tokenModel());
                            creates.record(r.status(), System.nanoTime() - t0);
                            if (r.status() == 201) {
                                ids[i] = r.body().get("id").asString();
                            } else {
                                backOff(r);
                            }
                        } catch (IOException e) {
                            creates.record(0, System.nanoTime() - t0);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    /** Deletes the cell's sessions, 16 at a time, so that the next cell starts on an empty store. */
    private static void deleteAll(ApiClient api, String[] ids) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        int workers = Math.min(16, ids.length);
        for (int w = 0; w < workers; w++) {
            final int first = w;
            threads.add(daemon(() -> {
                for (int i = first; i < ids.length; i += workers) {
                    if (ids[i] != null) {
                        try {
                            api.delete(ids[i]);
                        } catch (IOException e) {
                            // Left to expire with the store's TTL.
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
    }

    /** Honours Retry-After on 429/503, capped so that a cell still ends on time. */
    static void backOff(ApiClient.Reply r) throws InterruptedException {
        if ((r.status() == 429 || r.status() == 503) && r.retryAfter() != null) {
            try {
                Thread.sleep(Math.min(1000, Long.parseLong(r.retryAfter().trim()) * 1000));
            } catch (NumberFormatException e) {
                Thread.sleep(100);
            }
        }
    }

    static Map<String, Object> latencyView(Latencies l) {
        double[] ms = l.sortedMillis();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", l.ok());
        m.put("statuses", l.statuses());
        m.put("p50Ms", round3(Latencies.quantile(ms, 0.50)));
        m.put("p95Ms", round3(Latencies.quantile(ms, 0.95)));
        m.put("p99Ms", round3(Latencies.quantile(ms, 0.99)));
        m.put("maxMs", round3(ms.length == 0 ? Double.NaN : ms[ms.length - 1]));
        // The latency distribution at fixed quantiles, for the report's plot.
        double[] qs = {0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999};
        List<double[]> cdf = new ArrayList<>();
        for (double q : qs) {
            cdf.add(new double[]{q, round3(Latencies.quantile(ms, q))});
        }
        m.put("quantilesMs", ms.length == 0 ? List.of() : cdf);
        return m;
    }


    private static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static Thread daemon(Runnable body) {
        Thread t = new Thread(body);
        t.setDaemon(true);
        return t;
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static double round3(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : Double.NaN;
    }
}
