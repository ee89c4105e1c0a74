package io.stepwise.load;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Offered load above capacity, then a polite load: C clients that ignore Retry-After fire SSE generations and
 * session steps as fast as answers come for a while; the service must shed the excess with fast 429/503 answers
 * that carry Retry-After while its memory stays bounded; then a few clients that honour Retry-After must be served
 * again. Latencies of the refusals are recorded apart from those of the successes.
 *
 * <p>With a probe path (a location the front answers itself, e.g. nginx's {@code return 204}), one more client
 * sends it during the flood, one at a time with 20 ms between an answer and the next probe, through the same
 * HTTP client: its latency is the floor of what any
 * answer costs on this machine under this flood — the client's own queueing for a core included — so that a
 * refusal's latency can be read against it rather than charged wholly to the service.
 */
final class OverloadRun {
    /** What an overload run is asked to do. */
    record Spec(String url, List<Long> pids, String model, int vocabulary, int clients, double seconds,
                int politeClients, double politeSeconds, int maxRequests, String probePath) {
    }

    private OverloadRun() {
    }

    static Map<String, Object> run(HttpClient http, Spec spec) throws InterruptedException {
        ApiClient api = new ApiClient(http, spec.url(), Duration.ofSeconds(30));
        Target target = new Target("overload", spec.url(), spec.pids());
        double rssStart = ProcStats.maxRssMiB(target.pids());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clients", spec.clients());
        m.put("rssMiBBefore", LoadCell.round3(rssStart));
        Phase flood = phase(api, target, spec, spec.clients(), spec.seconds(), false);
        m.put("overload", flood.view());
        Phase polite = phase(api, target, spec, spec.politeClients(), spec.politeSeconds(), true);
        m.put("recovery", polite.view());
        m.put("rssMiBAfter", LoadCell.round3(ProcStats.maxRssMiB(target.pids())));
        return m;
    }

    private static final class Phase {
        final Latencies accepted;
        final Latencies refused;
        /** The refusals again, by what was refused: a generation's slot is checked by the controller, a step's
         *  concurrency and rate limits by the service's first filter, so their costs differ. */
        final Latencies refusedGenerations;
        final Latencies refusedSteps;
        /** The probe's answers (null without a probe path). */
        Latencies probe;
        final LongAdder refusalsWithRetryAfter = new LongAdder();
        final LongAdder refusals = new LongAdder();
        double seconds;
        double maxRss;
        double firstSuccessSeconds = Double.NaN;
        long startNanos;

        Phase(int capacity) {
            accepted = new Latencies(capacity);
            refused = new Latencies(capacity);
            refusedGenerations = new Latencies(capacity);
            refusedSteps = new Latencies(capacity);
        }

        synchronized void success(long now) {
            if (Double.isNaN(firstSuccessSeconds)) {
                firstSuccessSeconds = (now - startNanos) / 1e9;
            }
        }

        Map<String, Object> view() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("seconds", LoadCell.round3(seconds));
            v.put("accepted", LoadCell.latencyView(accepted));
            // Refusals are recorded with their own status; the view lists all statuses and refusal latencies.
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("count", refusals.sum());
            r.put("withRetryAfter", refusalsWithRetryAfter.sum());
            double[] ms = refused.sortedMillis();
            r.put("p50Ms", LoadCell.round3(Latencies.quantile(ms, 0.5)));
            r.put("p95Ms", LoadCell.round3(Latencies.quantile(ms, 0.95)));
            r.put("p99Ms", LoadCell.round3(Latencies.quantile(ms, 0.99)));
            r.put("maxMs", LoadCell.round3(ms.length == 0 ? Double.NaN : ms[ms.length - 1]));
            r.put("generations", refusalView(refusedGenerations));
            r.put("steps", refusalView(refusedSteps));
            v.put("refused", r);
            if (probe != null) {
                Map<String, Object> pv = refusalView(probe);
                pv.put("statuses", probe.statuses());
                v.put("probe", pv);
            }
            v.put("acceptedPerSecond", LoadCell.round3(accepted.ok() / seconds));
            v.put("firstSuccessAfterSeconds", LoadCell.round3(firstSuccessSeconds));
            v.put("maxRssMiB", LoadCell.round3(maxRss));
            return v;
        }
    }

    /** Count, statuses, p50, p99 of one kind of refusal. */
    private static Map<String, Object> refusalView(Latencies l) {
        Map<String, Object> r = new LinkedHashMap<>();
        double[] ms = l.sortedMillis();
        r.put("count", ms.length);
        r.put("p50Ms", LoadCell.round3(Latencies.quantile(ms, 0.5)));
        r.put("p95Ms", LoadCell.round3(Latencies.quantile(ms, 0.95)));
        r.put("p99Ms", LoadCell.round3(Latencies.quantile(ms, 0.99)));
        return r;
    }

    private static Phase phase(ApiClient api, Target target, Spec spec, int clients, double seconds, boolean polite)
            throws InterruptedException {
        Phase p = new Phase(spec.maxRequests());
        LongAdder budget = new LongAdder();
        budget.add(spec.maxRequests());
        p.startNanos = System.nanoTime();
        long deadline = p.startNanos + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            final int ci = c;
            threads.add(LoadCell.daemon(() -> {
                SplittableRandom random = new SplittableRandom(ci);
                String id = null;
                long position = 0;
                while (System.nanoTime() < deadline) {
                    synchronized (budget) {
                        if (budget.sum() <= 0) {
                            return;
                        }
                        budget.decrement();
                    }
                    long t0 = System.nanoTime();
                    int status;
                    String retryAfter;
                    try {
                        if (ci % 2 == 0) {
                            ApiClient.Generated g = api.generateSse(spec.model(), "The ", 32, random.nextLong());
                            status = g.status();
                            retryAfter = g.retryAfter();
                        } else {
                            ApiClient.Reply r = id == null ? api.createSession(spec.model())
                                    : api.step(id, position, new int[]{random.nextInt(spec.vocabulary())});
                            status = r.status();
                            retryAfter = r.retryAfter();
                            if (id == null && status == 201) {
                                id = r.body().get("id").asString();
                            }
                            if (r.position().isPresent() && id != null) {
                                position = r.position().getAsLong();
                            }
                        }
                    } catch (IOException e) {
                        status = 0;
                        retryAfter = null;
                    } catch (InterruptedException e) {
                        return;
                    }
                    long now = System.nanoTime();
                    if (status == 429 || status == 503) {
                        p.refusals.increment();
                        if (retryAfter != null) {
                            p.refusalsWithRetryAfter.increment();
                        }
                        p.refused.record(200, now - t0); // 200: so that the refusal's latency is kept
                        (ci % 2 == 0 ? p.refusedGenerations : p.refusedSteps).record(200, now - t0);
                        p.accepted.record(status, 0);
                        if (polite) {
                            try {
                                Thread.sleep(retryAfter == null ? 1000 : Long.parseLong(retryAfter.trim()) * 1000);
                            } catch (NumberFormatException | InterruptedException e) {
                                return;
                            }
                        }
                    } else {
                        p.accepted.record(status, now - t0);
                        if (status >= 200 && status < 300) {
                            p.success(now);
                        }
                    }
                }
            }));
        }
        if (!polite && spec.probePath() != null) {
            Latencies probe = new Latencies(Math.max(1, (int) (seconds * 50) + 10));
            p.probe = probe;
            threads.add(LoadCell.daemon(() -> {
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = api.probe(spec.probePath());
                    } catch (IOException e) {
                        status = 0;
                    } catch (InterruptedException e) {
                        return;
                    }
                    probe.record(status, System.nanoTime() - t0);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            while (t.isAlive()) {
                t.join(200);
                p.maxRss = Math.max(p.maxRss, ProcStats.maxRssMiB(target.pids()));
            }
        }
        p.seconds = (System.nanoTime() - p.startNanos) / 1e9;
        return p;
    }
}
