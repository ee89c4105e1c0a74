package io.stepwise.runtime;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Fires the call timeouts of {@link RunLimits#callTimeout()}: one daemon thread for the process, which only sets
 * ONNX Runtime's terminate flag ({@link RunControl#terminate}) and never runs a model itself.
 */
final class RunWatchdog {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private RunWatchdog() {
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "stepwise-run-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        // Nearly every call finishes in time: cancelled entries leave the queue at once instead of at their deadline.
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /** Runs {@code action} after {@code delay} unless the returned future is cancelled first. */
    static ScheduledFuture<?> after(Duration delay, Runnable action) {
        return TIMER.schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
}
