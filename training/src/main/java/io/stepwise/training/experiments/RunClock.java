package io.stepwise.training.experiments;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Wall-clock, process CPU and current-thread CPU time since creation. On a shared machine the wall-clock time of
 * a run depends on the neighbours; CPU time is what the run itself cost, so both are reported. Throughput figures
 * use the current thread's CPU time: with PyTorch limited to one thread ({@code DjlRuntime.configureThreads}),
 * its operators run on the calling thread.
 */
public final class RunClock {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final long wallStart;
    private final long processStart;
    private final long threadStart;

    private RunClock() {
        wallStart = System.nanoTime();
        processStart = processCpuNanos();
        threadStart = threadCpuNanos();
    }

    /** Starts a clock now. */
    public static RunClock start() {
        return new RunClock();
    }

    public double wallSeconds() {
        return (System.nanoTime() - wallStart) / 1e9;
    }

    /** CPU time of the whole JVM (every thread, including the garbage collector and PyTorch's). */
    public double processCpuSeconds() {
        return (processCpuNanos() - processStart) / 1e9;
    }

    /** CPU time of the thread that created this clock; call from that thread. */
    public double threadCpuSeconds() {
        return (threadCpuNanos() - threadStart) / 1e9;
    }

    static long threadCpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long t = os.getProcessCpuTime();
            if (t >= 0) {
                return t;
            }
        }
        return System.nanoTime();
    }
}
