package io.stepwise.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * Stops an ONNX Runtime run from another thread: the run options every run of one session (or one
 * {@code forward} call) passes to ONNX Runtime, whose terminate flag makes the run return with an error at the
 * next node boundary. Set by the watchdog when a call's timeout passes, or by {@link StepSession#cancel()}.
 *
 * <p>A stop requested while no call runs is cleared when the next call begins, so it affects only the call in
 * flight. Terminate and close are synchronized: the watchdog never touches run options that were closed.
 */
final class RunControl implements AutoCloseable {
    private final OrtSession.RunOptions options;
    private volatile RunCancelledException.Reason stopped;
    private boolean closed;

    RunControl(EngineLogLevel level) throws OrtException {
        this.options = OrtLogging.runOptions(level);
    }

    /** The run options to pass to every run of the call. */
    OrtSession.RunOptions options() {
        return options;
    }

    /**
     * Begins a call: clears a stop left from an earlier call and arms the timeout.
     *
     * @return the armed timeout to hand to {@link #end}, or null when there is none
     */
    ScheduledFuture<?> begin(Duration timeout) {
        if (stopped != null) {
            clear();
        }
        return timeout.isZero() ? null : RunWatchdog.after(timeout, () -> terminate(RunCancelledException.Reason.TIMEOUT));
    }

    private synchronized void clear() {
        if (!closed) {
            try {
                options.setTerminate(false);
            } catch (OrtException e) {
                throw new StepwiseException("ONNX Runtime could not clear a run's terminate flag: " + e.getMessage(), e);
            }
        }
        stopped = null;
    }

    /**
     * Ends a call: disarms its timeout.
     *
     * @return whether the timeout was disarmed before it fired (true when there was none); false when it fired
     *         or is firing, so that it may still stop whatever runs next on these options
     */
    boolean end(ScheduledFuture<?> timeout) {
        return timeout == null || timeout.cancel(false);
    }

    /** Asks ONNX Runtime to stop the run in flight; thread-safe, a no-op once closed. */
    synchronized void terminate(RunCancelledException.Reason reason) {
        if (closed) {
            return;
        }
        stopped = reason;
        try {
            options.setTerminate(true);
        } catch (OrtException e) {
            // The flag could not be set: the run simply finishes; there is no caller to report this to.
        }
    }

    /** Why the current call was stopped, or null. */
    RunCancelledException.Reason stopped() {
        return stopped;
    }

    /**
     * Throws {@link RunCancelledException} when the call was stopped (between chunks, or after a run that failed
     * because it was).
     */
    void checkStopped(String source, Duration timeout, Throwable cause) {
        RunCancelledException.Reason r = stopped;
        if (r != null) {
            throw new RunCancelledException(source + (r == RunCancelledException.Reason.TIMEOUT
                    ? ": the call ran longer than its timeout of " + timeout + " (RunLimits.callTimeout) and was stopped"
                    : ": the call was cancelled") + "; the session keeps the state it had before the call", r, cause);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            options.close();
        }
    }
}
