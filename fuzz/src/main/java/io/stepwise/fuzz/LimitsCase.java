package io.stepwise.fuzz;

import io.stepwise.runtime.NonFiniteOutputException;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.RunCancelledException;
import io.stepwise.runtime.RunLimits;
import io.stepwise.runtime.RuntimeOptions;
import io.stepwise.runtime.SessionState;
import io.stepwise.runtime.StepSession;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code limits} target: the bytes are a script of calls on a session of the state model under
 * {@link RunLimits} taken from the script (small chunks, millisecond timeouts, cancels from another thread, tokens out
 * of range). A second session of the same model without limits replays every call that succeeded. The properties
 * checked, any violation of which is a finding: a call either succeeds with the outputs of the unlimited session
 * (within 1e-5, whatever the chunking) or fails with a documented exception and leaves the state exactly as it was
 * before the call; the session is still usable afterwards.
 */
final class LimitsCase {
    private static final int MAX_CALLS = 16;
    private static final double TOLERANCE = 1e-5;

    private final byte[] script;
    private int at;

    private LimitsCase(byte[] script) {
        this.script = script;
    }

    /** Runs the script; {@link Outcome#ERROR} with kind {@code invariant} when a property does not hold. */
    static Outcome run(byte[] script, byte[] modelBytes) {
        return new LimitsCase(script).run(modelBytes);
    }

    private int next() {
        return at < script.length ? script[at++] & 0xFF : 0;
    }

    private Outcome run(byte[] modelBytes) {
        int chunk = 1 + next() % 48;
        int timeoutCode = next();
        Duration timeout = timeoutCode < 128 ? Duration.ZERO : Duration.ofNanos((timeoutCode - 127) * 40_000L);
        RunLimits limits = RunLimits.builder().optMaxStepsPerRun(chunk).optCallTimeout(timeout).build();
        int cancelled = 0;
        int timedOut = 0;
        int refused = 0;
        int calls = 0;
        try (RecurrentModel limited = RecurrentModel.fromBytes(modelBytes,
                     RuntimeOptions.builder().optRunLimits(limits).build());
             RecurrentModel plain = RecurrentModel.fromBytes(modelBytes);
             StepSession s = limited.newSession();
             StepSession ref = plain.newSession()) {
            int vocabulary = Math.max(1, limited.info().vocabulary().size());
            while (at < script.length && calls < MAX_CALLS) {
                calls++;
                int op = next() % 4;
                int length = 1 + ((next() << 8 | next()) % 3000);
                int[] tokens = new int[length];
                for (int i = 0; i < length; i++) {
                    int b = next();
                    tokens[i] = b == 255 ? vocabulary + (b & 3) : b % vocabulary; // 255: one past the range
                }
                SessionState before = s.snapshot();
                Thread canceller = op == 2 ? canceller(s, next()) : null;
                try {
                    float[][] got = op == 0 ? new float[][] {s.step(tokens[0])} : s.feed(tokens);
                    join(canceller);
                    float[][] want = op == 0 ? new float[][] {ref.step(tokens[0])} : ref.feed(tokens);
                    String diff = differs(want, got);
                    if (diff != null) {
                        return invariant("call " + calls + " (" + (op == 0 ? "step" : "feed of " + length)
                                + ", chunk " + chunk + ") succeeded with different outputs: " + diff);
                    }
                    String stateDiff = differs(ref.snapshot(), s.snapshot());
                    if (stateDiff != null) {
                        return invariant("call " + calls + ": the state differs from the unlimited session: "
                                + stateDiff);
                    }
                } catch (RunCancelledException e) {
                    join(canceller);
                    if (e.reason() == RunCancelledException.Reason.TIMEOUT) {
                        timedOut++;
                    } else {
                        cancelled++;
                    }
                    if (!s.snapshot().equals(before)) {
                        return invariant("call " + calls + " was stopped (" + e.reason()
                                + ") but changed the state");
                    }
                } catch (IllegalArgumentException | NonFiniteOutputException e) {
                    join(canceller);
                    refused++;
                    if (!s.snapshot().equals(before)) {
                        return invariant("call " + calls + " was refused (" + e.getMessage()
                                + ") but changed the state");
                    }
                }
                if (op == 3) {
                    // snapshot/restore round trip in the middle of the script, through bytes
                    s.restore(SessionState.fromBytes(s.snapshot().toBytes()));
                }
            }
        }
        return new Outcome(Outcome.OK, "", String.format(Locale.ROOT,
                "%d calls, chunk %d, timeout %s: %d timed out, %d cancelled, %d refused", calls, chunk, timeout,
                timedOut, cancelled, refused));
    }

    /** A thread that cancels the session's call after a few microseconds (often before or after it runs). */
    private static Thread canceller(StepSession s, int delayCode) {
        Thread t = new Thread(() -> {
            LockSupport.parkNanos(delayCode * 10_000L);
            s.cancel();
        }, "fuzz-cancel");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for the canceller, so that its cancel cannot land in the next call. */
    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String differs(float[][] want, float[][] got) {
        if (want.length != got.length) {
            return want.length + " rows expected but " + got.length + " returned";
        }
        for (int r = 0; r < want.length; r++) {
            String d = differs(want[r], got[r]);
            if (d != null) {
                return "row " + r + ": " + d;
            }
        }
        return null;
    }

    private static String differs(SessionState want, SessionState got) {
        if (want.position() != got.position()) {
            return "position " + got.position() + " instead of " + want.position();
        }
        String h = differs(want.hidden(), got.hidden());
        if (h != null) {
            return "hidden " + h;
        }
        String c = want.cell().isEmpty() ? null : differs(want.cell().get(), got.cell().orElse(new float[0]));
        return c == null ? null : "cell " + c;
    }

    private static String differs(float[] want, float[] got) {
        if (want.length != got.length) {
            return want.length + " values expected but " + got.length;
        }
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(want[i] - got[i]) <= TOLERANCE)) {
                return "[" + i + "] " + got[i] + " instead of " + want[i];
            }
        }
        return null;
    }

    private static Outcome invariant(String detail) {
        return new Outcome(Outcome.ERROR, "invariant", detail);
    }
}
