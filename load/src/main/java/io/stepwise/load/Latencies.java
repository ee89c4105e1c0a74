package io.stepwise.load;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Latencies and status codes of one kind of request in one load cell, from many threads. Latencies are kept
 * exactly up to a fixed count (the cell's request bound), so percentiles are exact, not bucketed; beyond the bound
 * only counts are kept. Status 0 counts I/O failures (connection refused or reset, timeout).
 */
final class Latencies {
    private final AtomicLongArray nanos;
    private final LongAdder recorded = new LongAdder();
    private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<Integer, LongAdder> statuses = new java.util.concurrent.ConcurrentHashMap<>();

    Latencies(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: expected ≥ 1 but got " + capacity);
        }
        this.nanos = new AtomicLongArray(capacity);
    }

    /** Records one answered (or failed) request; only successful ones enter the latency distribution. */
    void record(int status, long elapsedNanos) {
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (status >= 200 && status < 300) {
            int i = next.getAndIncrement();
            if (i < nanos.length()) {
                nanos.set(i, elapsedNanos);
                recorded.increment();
            }
        }
    }

    long count(int status) {
        LongAdder a = statuses.get(status);
        return a == null ? 0 : a.sum();
    }

    long ok() {
        return statuses.entrySet().stream().filter(e -> e.getKey() >= 200 && e.getKey() < 300)
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    long total() {
        return statuses.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Status → count, sorted; "0" is an I/O failure. */
    Map<String, Long> statuses() {
        Map<String, Long> m = new TreeMap<>();
        statuses.forEach((k, v) -> m.put(Integer.toString(k), v.sum()));
        return m;
    }

    /** The successful requests' latencies in milliseconds, sorted. */
    double[] sortedMillis() {
        int n = (int) Math.min(recorded.sum(), nanos.length());
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            ms[i] = nanos.get(i) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    /** The q-quantile (0 … 1) of sorted values by the nearest-rank method; NaN when there are none. */
    static double quantile(double[] sorted, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q: expected 0 … 1 but got " + q);
        }
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
