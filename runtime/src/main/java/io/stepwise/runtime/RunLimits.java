package io.stepwise.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on every call a loaded model serves, so that no API call — however long its input or however large the
 * number it asks for — holds unbounded memory or runs for ever. Part of {@link RuntimeOptions}; immutable.
 *
 * <pre>{@code
 * RuntimeOptions options = RuntimeOptions.builder()
 *         .optRunLimits(RunLimits.builder().optCallTimeout(Duration.ofSeconds(5)).optMaxBeamWidth(8).build())
 *         .build();
 * }</pre>
 *
 * <ul>
 *   <li><b>Steps per run</b> ({@link #maxStepsPerRun()}, default {@value #DEFAULT_MAX_STEPS_PER_RUN}): a
 *       {@code feed} or {@code forward} longer than this is run as consecutive chunks, each one ONNX Runtime run
 *       that carries the state on; the result equals one run over the whole input (to floating-point
 *       reordering), but ONNX Runtime's working memory — and what its allocator keeps afterwards — is that of one
 *       chunk, not of the whole input. For {@code forward} and the batched {@code feedAll} (which serves
 *       {@code BatchingModel}'s feeds) the bound counts stream-steps (rows × chunk length); rows of a batched feed
 *       that end sooner leave the later chunks.
 *       Chunks also bound how late a timeout or {@code cancel()} takes effect: ONNX Runtime checks its terminate
 *       flag between nodes, and a recurrent node runs one chunk.</li>
 *   <li><b>Call timeout</b> ({@link #callTimeout()}, default {@link #DEFAULT_CALL_TIMEOUT}): a {@code feed} or
 *       {@code forward} still running after it is stopped inside ONNX Runtime (its run options' terminate flag)
 *       and fails with {@link RunCancelledException}; the session keeps the state it had before the call.
 *       {@link Duration#ZERO} means no timeout. A single {@code step} is one recurrent step of a vetted graph and
 *       is not timed; it can still be cancelled ({@link StepSession#cancel()}).</li>
 *   <li><b>Helpers</b>: the largest beam width ({@link #maxBeamWidth()}) and generation length
 *       ({@link #maxNewTokens()}) {@code TextGenerator} accepts, and the largest horizon ({@link #maxHorizon()})
 *       {@code Forecaster} and {@code ForecastStream} accept — including a horizon read from a model's metadata.
 *       Larger requests are refused with {@link IllegalArgumentException} naming the limit.</li>
 *   <li><b>Non-finite outputs</b> ({@link #rejectNonFinite()}, default true): a step whose output or new state
 *       holds NaN or infinity fails with {@link NonFiniteOutputException} and leaves the session as it was;
 *       false returns such values as they are.</li>
 * </ul>
 */
public final class RunLimits {
    /** Default {@link #maxStepsPerRun()}. */
    public static final int DEFAULT_MAX_STEPS_PER_RUN = 4096;
    /** Default {@link #callTimeout()}: long enough for a million steps of a large model on one core. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(5);
    /** Default {@link #maxBeamWidth()}. */
    public static final int DEFAULT_MAX_BEAM_WIDTH = 64;
    /** Default {@link #maxNewTokens()}. */
    public static final int DEFAULT_MAX_NEW_TOKENS = 65_536;
    /** Default {@link #maxHorizon()}. */
    public static final int DEFAULT_MAX_HORIZON = 100_000;
    /** Upper end of every count limit: about 2^24, well inside arrays and ONNX Runtime's int sizes. */
    public static final int MAX_LIMIT = 1 << 24;

    private static final RunLimits DEFAULTS = builder().build();

    private final int maxStepsPerRun;
    private final Duration callTimeout;
    private final int maxBeamWidth;
    private final int maxNewTokens;
    private final int maxHorizon;
    private final boolean rejectNonFinite;

    private RunLimits(Builder b) {
        this.maxStepsPerRun = b.maxStepsPerRun;
        this.callTimeout = b.callTimeout;
        this.maxBeamWidth = b.maxBeamWidth;
        this.maxNewTokens = b.maxNewTokens;
        this.maxHorizon = b.maxHorizon;
        this.rejectNonFinite = b.rejectNonFinite;
    }

    /** The defaults listed in the class comment. */
    public static RunLimits defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxStepsPerRun = maxStepsPerRun;
        b.callTimeout = callTimeout;
        b.maxBeamWidth = maxBeamWidth;
        b.maxNewTokens = maxNewTokens;
        b.maxHorizon = maxHorizon;
        b.rejectNonFinite = rejectNonFinite;
        return b;
    }

    /** Steps (stream-steps for a batch) in one ONNX Runtime run; longer input runs in chunks. */
    public int maxStepsPerRun() {
        return maxStepsPerRun;
    }

    /** How long a {@code feed} or {@code forward} may run; {@link Duration#ZERO} for no limit. */
    public Duration callTimeout() {
        return callTimeout;
    }

    /** Whether {@link #callTimeout()} is set. */
    public boolean hasCallTimeout() {
        return !callTimeout.isZero();
    }

    /** The largest beam width {@code TextGenerator} accepts. */
    public int maxBeamWidth() {
        return maxBeamWidth;
    }

    /** The most tokens {@code TextGenerator} generates in one call. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** The largest forecast horizon. */
    public int maxHorizon() {
        return maxHorizon;
    }

    /** Whether a step with a NaN or infinite output or state fails ({@link NonFiniteOutputException}). */
    public boolean rejectNonFinite() {
        return rejectNonFinite;
    }

    /**
     * Refuses {@code value} above {@code limit}.
     *
     * @param name    the argument, e.g. {@code "beamWidth"}
     * @param setting the builder method that widens the limit, named in the message
     * @throws IllegalArgumentException naming the argument, its value, the limit and how to widen it
     */
    public static void check(String name, long value, int limit, String setting) {
        if (value > limit) {
            throw new IllegalArgumentException(name + ": " + value + " is above the limit of " + limit
                    + " (RunLimits." + setting + "; widen it in RuntimeOptions for a trusted caller)");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunLimits r && r.maxStepsPerRun == maxStepsPerRun && r.callTimeout.equals(callTimeout)
                && r.maxBeamWidth == maxBeamWidth && r.maxNewTokens == maxNewTokens && r.maxHorizon == maxHorizon
                && r.rejectNonFinite == rejectNonFinite;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxStepsPerRun, callTimeout, maxBeamWidth, maxNewTokens, maxHorizon, rejectNonFinite);
    }

    @Override
    public String toString() {
        return "RunLimits[maxStepsPerRun=" + maxStepsPerRun + ", callTimeout=" + (hasCallTimeout() ? callTimeout
                : "none") + ", maxBeamWidth=" + maxBeamWidth + ", maxNewTokens=" + maxNewTokens + ", maxHorizon="
                + maxHorizon + ", rejectNonFinite=" + rejectNonFinite + "]";
    }

    /** Builder; every setting is optional and checked in {@link #build()}. */
    public static final class Builder {
        private int maxStepsPerRun = DEFAULT_MAX_STEPS_PER_RUN;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private int maxBeamWidth = DEFAULT_MAX_BEAM_WIDTH;
        private int maxNewTokens = DEFAULT_MAX_NEW_TOKENS;
        private int maxHorizon = DEFAULT_MAX_HORIZON;
        private boolean rejectNonFinite = true;

        private Builder() {
        }

        /** Steps per ONNX Runtime run, 1..{@value RunLimits#MAX_LIMIT}; default {@value #DEFAULT_MAX_STEPS_PER_RUN}. */
        public Builder optMaxStepsPerRun(int steps) {
            this.maxStepsPerRun = steps;
            return this;
        }

        /** Per-call timeout of {@code feed}/{@code forward}, ≥ 0 ({@link Duration#ZERO}: none); default 5 min. */
        public Builder optCallTimeout(Duration timeout) {
            this.callTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Largest beam width, 1..{@value RunLimits#MAX_LIMIT}; default {@value #DEFAULT_MAX_BEAM_WIDTH}. */
        public Builder optMaxBeamWidth(int width) {
            this.maxBeamWidth = width;
            return this;
        }

        /** Most generated tokens per call, 1..{@value RunLimits#MAX_LIMIT}; default {@value #DEFAULT_MAX_NEW_TOKENS}. */
        public Builder optMaxNewTokens(int tokens) {
            this.maxNewTokens = tokens;
            return this;
        }

        /** Largest forecast horizon, 1..{@value RunLimits#MAX_LIMIT}; default {@value #DEFAULT_MAX_HORIZON}. */
        public Builder optMaxHorizon(int horizon) {
            this.maxHorizon = horizon;
            return this;
        }

        /** Whether NaN or infinite outputs and states fail the step (default true). */
        public Builder optRejectNonFinite(boolean reject) {
            this.rejectNonFinite = reject;
            return this;
        }

        /**
         * Checks and builds.
         *
         * @throws IllegalArgumentException naming the first setting outside its range
         */
        public RunLimits build() {
            range("maxStepsPerRun", maxStepsPerRun);
            range("maxBeamWidth", maxBeamWidth);
            range("maxNewTokens", maxNewTokens);
            range("maxHorizon", maxHorizon);
            if (callTimeout.isNegative()) {
                throw new IllegalArgumentException("callTimeout: expected ≥ 0 (0 = none) but got " + callTimeout);
            }
            return new RunLimits(this);
        }

        private static void range(String name, int value) {
            if (value < 1 || value > MAX_LIMIT) {
                throw new IllegalArgumentException(name + ": expected 1.." + MAX_LIMIT + " but got " + value);
            }
        }
    }
}
