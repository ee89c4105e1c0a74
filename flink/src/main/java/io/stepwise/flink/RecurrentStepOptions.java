package io.stepwise.flink;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RecurrentStep} runs a model over a keyed stream. Built with {@link #builder()}: {@code set*} for what
 * is required (the model and the output), {@code opt*} for the rest, validated in {@link Builder#build()}.
 *
 * <pre>{@code
 * RecurrentStepOptions options = RecurrentStepOptions.builder()
 *         .setModel(Path.of("models/co2-lstm.onnx"))
 *         .setMode(OutputMode.ANOMALY_SCORE)
 *         .build();
 * }</pre>
 *
 * <p>The options travel with the job graph. A model given as a path is loaded by every parallel task from that
 * path, so on a real cluster it must exist on every TaskManager; a model given as bytes travels with the job.
 */
public final class RecurrentStepOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Default events per bundle. */
    public static final int DEFAULT_BUNDLE_SIZE = 256;
    /** Default longest time an event waits in a bundle. */
    public static final Duration DEFAULT_BUNDLE_TIMEOUT = Duration.ofMillis(50);
    /** Default number of recent errors the anomaly score's unit averages over. */
    public static final int DEFAULT_ERROR_WINDOW = 50;
    /** Default errors a key must have seen before it is scored. */
    public static final int DEFAULT_WARMUP = 10;

    private final String modelPath;
    private final byte[] modelBytes;
    private final String modelName;
    private final OutputMode mode;
    private final int bundleSize;
    private final long bundleTimeoutMillis;
    private final TimePolicy timePolicy;
    private final Stepping stepping;
    private final int errorWindow;
    private final int warmup;
    private final int intraOpThreads;
    private final boolean statistics;

    private RecurrentStepOptions(Builder b) {
        this.modelPath = b.modelPath;
        this.modelBytes = b.modelBytes;
        this.modelName = b.modelName;
        this.mode = b.mode;
        this.bundleSize = b.bundleSize;
        this.bundleTimeoutMillis = b.bundleTimeout.toMillis();
        this.timePolicy = b.timePolicy;
        this.stepping = b.stepping;
        this.errorWindow = b.errorWindow;
        this.warmup = b.warmup;
        this.intraOpThreads = b.intraOpThreads;
        this.statistics = b.statistics;
    }

    /** A builder; {@link Builder#setModel} and {@link Builder#setMode} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The model's path, or {@code null} when it travels as bytes. */
    public String modelPath() {
        return modelPath;
    }

    /** A copy of the model's bytes, or {@code null} when it is loaded from a path. */
    public byte[] modelBytes() {
        return modelBytes == null ? null : modelBytes.clone();
    }

    /** The model's path, or the name given with its bytes; for messages and the state's serializer. */
    public String modelName() {
        return modelName;
    }

    /** What is emitted per event. */
    public OutputMode mode() {
        return mode;
    }

    /** Events per bundle; 1 steps every event on arrival. */
    public int bundleSize() {
        return bundleSize;
    }

    /** The longest an event waits in a bundle before it is stepped. */
    public Duration bundleTimeout() {
        return Duration.ofMillis(bundleTimeoutMillis);
    }

    /** What happens to out-of-order and late events. */
    public TimePolicy timePolicy() {
        return timePolicy;
    }

    /** How a bundle is run. */
    public Stepping stepping() {
        return stepping;
    }

    /** Recent errors the anomaly score's unit averages over (an exponential window). */
    public int errorWindow() {
        return errorWindow;
    }

    /** Errors a key must have seen before its observations are scored. */
    public int warmup() {
        return warmup;
    }

    /** ONNX Runtime threads per parallel task. */
    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** Whether the operator adds its job accumulators (see {@link Builder#optStatistics}). */
    public boolean statistics() {
        return statistics;
    }

    @Override
    public String toString() {
        return "RecurrentStepOptions[model " + modelName + ", " + mode + ", bundle " + bundleSize + " / "
                + bundleTimeoutMillis + " ms, " + timePolicy + ", " + stepping + "]";
    }

    /** Builds {@link RecurrentStepOptions}. */
    public static final class Builder {
        private String modelPath;
        private byte[] modelBytes;
        private String modelName;
        private OutputMode mode;
        private int bundleSize = DEFAULT_BUNDLE_SIZE;
        private Duration bundleTimeout = DEFAULT_BUNDLE_TIMEOUT;
        private TimePolicy timePolicy = TimePolicy.REJECT_OUT_OF_ORDER;
        private Stepping stepping = Stepping.BUNDLED;
        private int errorWindow = DEFAULT_ERROR_WINDOW;
        private int warmup = DEFAULT_WARMUP;
        private int intraOpThreads = 1;
        private boolean statistics;

        private Builder() {
        }

        /** The model file, loaded by every parallel task from this path (which must exist there). */
        public Builder setModel(Path model) {
            Objects.requireNonNull(model, "model");
            this.modelPath = model.toAbsolutePath().normalize().toString();
            this.modelBytes = null;
            this.modelName = modelPath;
            return this;
        }

        /** A self-contained model in memory; it travels with the job graph. {@code name} is for messages. */
        public Builder setModel(byte[] model, String name) {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(name, "name");
            if (model.length == 0) {
                throw new IllegalArgumentException("model: expected the bytes of an ONNX model but got none");
            }
            this.modelBytes = model.clone();
            this.modelPath = null;
            this.modelName = name;
            return this;
        }

        /** What to emit per event. */
        public Builder setMode(OutputMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Events per bundle (default {@value #DEFAULT_BUNDLE_SIZE}); 1 steps each event as it arrives. */
        public Builder optBundleSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("bundleSize: expected ≥ 1 but got " + size);
            }
            this.bundleSize = size;
            return this;
        }

        /** The longest an event waits in a bundle (default 50 ms); at least 1 ms. */
        public Builder optBundleTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("bundleTimeout: expected ≥ 1 ms but got " + timeout);
            }
            this.bundleTimeout = timeout;
            return this;
        }

        /** What happens to out-of-order and late events (default {@link TimePolicy#REJECT_OUT_OF_ORDER}). */
        public Builder optTimePolicy(TimePolicy policy) {
            this.timePolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** How a bundle is run (default {@link Stepping#BUNDLED}). */
        public Builder optStepping(Stepping stepping) {
            this.stepping = Objects.requireNonNull(stepping, "stepping");
            return this;
        }

        /** Recent errors the anomaly score's unit averages over (default {@value #DEFAULT_ERROR_WINDOW}), ≥ 1. */
        public Builder optErrorWindow(int window) {
            if (window < 1) {
                throw new IllegalArgumentException("errorWindow: expected ≥ 1 but got " + window);
            }
            this.errorWindow = window;
            return this;
        }

        /** Errors a key must have seen before it is scored (default {@value #DEFAULT_WARMUP}), ≥ 1. */
        public Builder optWarmup(int errors) {
            if (errors < 1) {
                throw new IllegalArgumentException("warmup: expected ≥ 1 but got " + errors);
            }
            this.warmup = errors;
            return this;
        }

        /** ONNX Runtime threads per parallel task (default 1: Flink's parallelism spreads the work). */
        public Builder optIntraOpThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("intraOpThreads: expected ≥ 1 but got " + threads);
            }
            this.intraOpThreads = threads;
            return this;
        }

        /**
         * Adds job accumulators, summed over the parallel tasks and read from the {@code JobExecutionResult}:
         * {@value RecurrentStep#EVENTS} (events stepped), {@value RecurrentStep#MODEL_CALLS}, {@value
         * RecurrentStep#STEP_CPU_NANOS} (thread CPU time of the operator's flushes: model calls, state reads and
         * writes, outputs), {@value RecurrentStep#FIRST_EVENT_MILLIS} and {@value RecurrentStep#LAST_OUTPUT_MILLIS}
         * (wall-clock span of the stepping). Off by default: two clock reads per flush, and the names are job-wide,
         * so enable it on one such operator per job. The operator's metrics are always on.
         */
        public Builder optStatistics(boolean on) {
            this.statistics = on;
            return this;
        }

        /**
         * @throws IllegalStateException when the model or the mode is missing
         */
        public RecurrentStepOptions build() {
            if (modelPath == null && modelBytes == null) {
                throw new IllegalStateException("model: not set; call setModel(path) or setModel(bytes, name)");
            }
            if (mode == null) {
                throw new IllegalStateException("mode: not set; call setMode(OutputMode."
                        + String.join("|", java.util.Arrays.stream(OutputMode.values()).map(Enum::name).toList())
                        + ")");
            }
            return new RecurrentStepOptions(this);
        }
    }
}
