package io.stepwise.runtime;

import java.util.Objects;

/**
 * How ONNX Runtime runs a model (device, threads, spinning, graph optimisation and its own logging), the bounds a
 * model must keep to be loaded at all ({@link ModelLimits}) and the bounds on every call it then serves
 * ({@link RunLimits}).
 *
 * <pre>{@code
 * RuntimeOptions options = RuntimeOptions.builder().optDevice(Device.cuda(0)).build();
 * }</pre>
 *
 * <p>The defaults suit services that step many sessions in parallel: <b>one intra-op thread and no spinning</b>.
 * A recurrent step on a small model is a handful of tiny matrix products; splitting them over a thread pool
 * costs more in hand-over than it saves, and with many sessions running on the caller's threads at once an
 * intra-op pool per model would oversubscribe the cores. Spinning (busy-waiting pool threads) burns a core per
 * pool thread between steps. Raise {@link Builder#optIntraOpThreads} for large models run from one thread,
 * e.g. batched evaluation.
 */
public final class RuntimeOptions {
    /** ONNX Runtime's graph optimisation levels. */
    public enum OptimizationLevel {
        /** No graph rewrites. */
        NONE,
        /** Constant folding and redundant-node removal. */
        BASIC,
        /** Basic plus node fusions. */
        EXTENDED,
        /** Everything, including layout optimisations (the default). */
        ALL
    }

    private static final RuntimeOptions DEFAULTS = builder().build();

    private final Device device;
    private final int intraOpThreads;
    private final boolean spinning;
    private final OptimizationLevel optimizationLevel;
    private final ModelLimits modelLimits;
    private final RunLimits runLimits;
    private final EngineLogLevel engineLogLevel;
    private final boolean requireWeightsChecksum;

    private RuntimeOptions(Builder b) {
        this.device = b.device;
        this.intraOpThreads = b.intraOpThreads;
        this.spinning = b.spinning;
        this.optimizationLevel = b.optimizationLevel;
        this.modelLimits = b.modelLimits;
        this.runLimits = b.runLimits;
        this.engineLogLevel = b.engineLogLevel;
        this.requireWeightsChecksum = b.requireWeightsChecksum;
    }

    /** CPU, one intra-op thread, no spinning, all optimisations, default model and run limits, engine log FATAL. */
    public static RuntimeOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where the model runs; default {@link Device#CPU}. */
    public Device device() {
        return device;
    }

    /** Threads ONNX Runtime may use inside one run: 1..1024, default 1. */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** Whether idle intra-op threads busy-wait for work; default false. */
    public boolean spinning() {
        return spinning;
    }

    /** ONNX Runtime's graph optimisation level; default {@link OptimizationLevel#ALL}. */
    public OptimizationLevel optimizationLevel() {
        return optimizationLevel;
    }

    /** The bounds a model file must keep to be loaded (see {@link ModelLimits}). */
    public ModelLimits modelLimits() {
        return modelLimits;
    }

    /** The bounds on every call of a loaded model (see {@link RunLimits}). */
    public RunLimits runLimits() {
        return runLimits;
    }

    /** The least severity of ONNX Runtime's own log messages that are printed; default {@link EngineLogLevel#FATAL}. */
    public EngineLogLevel engineLogLevel() {
        return engineLogLevel;
    }

    /**
     * Whether a model must carry the weights checksum the exporter records ({@value ModelFormat#WEIGHTS_SHA256});
     * default false, so that files written before it existed load, unverified ({@link ModelInfo#weightsVerified()}).
     * A checksum that is present is always verified.
     */
    public boolean requireWeightsChecksum() {
        return requireWeightsChecksum;
    }

    @Override
    public String toString() {
        return "RuntimeOptions[device=" + device + ", intraOpThreads=" + intraOpThreads + ", spinning=" + spinning
                + ", optimizationLevel=" + optimizationLevel + ", modelLimits=" + modelLimits + ", runLimits="
                + runLimits + ", engineLogLevel=" + engineLogLevel
                + ", requireWeightsChecksum=" + requireWeightsChecksum + "]";
    }

    /** Builder; every setting is optional. */
    public static final class Builder {
        private Device device = Device.CPU;
        private int intraOpThreads = 1;
        private boolean spinning;
        private OptimizationLevel optimizationLevel = OptimizationLevel.ALL;
        private ModelLimits modelLimits = ModelLimits.defaults();
        private RunLimits runLimits = RunLimits.defaults();
        private EngineLogLevel engineLogLevel = EngineLogLevel.FATAL;
        private boolean requireWeightsChecksum;

        private Builder() {
        }

        /** {@link Device#CPU} (default) or {@link Device#cuda(int)}. */
        public Builder optDevice(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /** Threads ONNX Runtime may use inside one run: 1..1024, default 1 (see the class comment). */
        public Builder optIntraOpThreads(int threads) {
            this.intraOpThreads = threads;
            return this;
        }

        /** Whether idle intra-op threads busy-wait for work (default false). */
        public Builder optSpinning(boolean spinning) {
            this.spinning = spinning;
            return this;
        }

        /** ONNX Runtime's graph optimisation level; default {@link OptimizationLevel#ALL}. */
        public Builder optOptimizationLevel(OptimizationLevel level) {
            this.optimizationLevel = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * Bounds checked before ONNX Runtime reads a model (default {@link ModelLimits#defaults()}); widen them for
         * a trusted model that is larger or uses more operators than the defaults allow.
         *
         * @throws NullPointerException when {@code limits} is null
         */
        public Builder optModelLimits(ModelLimits limits) {
            this.modelLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Bounds on every call of the loaded model: steps per ONNX Runtime run, call timeout, beam width,
         * generation length, horizon, non-finite outputs (default {@link RunLimits#defaults()}).
         *
         * @throws NullPointerException when {@code limits} is null
         */
        public Builder optRunLimits(RunLimits limits) {
            this.runLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * The least severity of ONNX Runtime's own messages (session creation and runs) that it prints to standard
         * error; default {@link EngineLogLevel#FATAL}, because every failure already reaches the caller as an
         * exception carrying ONNX Runtime's message. Raise it (e.g. {@link EngineLogLevel#WARNING}) to diagnose.
         *
         * @throws NullPointerException when {@code level} is null
         */
        public Builder optEngineLogLevel(EngineLogLevel level) {
            this.engineLogLevel = Objects.requireNonNull(level, "level");
            return this;
        }

        /**
         * Refuse models without a recorded weights checksum (default false: they load unverified). Services that
         * only run models exported by this version should turn it on.
         */
        public Builder optRequireWeightsChecksum(boolean require) {
            this.requireWeightsChecksum = require;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException when the thread count is outside 1..1024
         */
        public RuntimeOptions build() {
            if (intraOpThreads < 1 || intraOpThreads > 1024) {
                throw new IllegalArgumentException("intraOpThreads: expected 1..1024 but got " + intraOpThreads);
            }
            return new RuntimeOptions(this);
        }
    }
}
