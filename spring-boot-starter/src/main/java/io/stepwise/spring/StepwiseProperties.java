package io.stepwise.spring;

import io.stepwise.runtime.RunLimits;
import io.stepwise.runtime.RuntimeOptions;
import io.stepwise.runtime.batch.BatchingModel;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything the starter reads, under the {@code stepwise} prefix:
 *
 * <pre>
 * stepwise.models-dir=models                     # every *.onnx in a folder, named after the file
 * stepwise.models.chat.path=/srv/models/chat.onnx # or one named model from a file ...
 * stepwise.models.co2.resource=models/co2.onnx    # ... or from the class path
 * stepwise.runtime.intra-op-threads=1
 * stepwise.runtime.call-timeout=30s              # and max-steps-per-run, max-beam-width, max-new-tokens, max-horizon
 * stepwise.batching.max-batch-size=64            # batching is on by default
 * stepwise.batching.max-delay=1ms
 * stepwise.store.type=redis                       # memory (default) or redis
 * stepwise.store.ttl=30m
 * stepwise.shutdown.timeout=20s
 * </pre>
 */
@ConfigurationProperties("stepwise")
public class StepwiseProperties {

    /** A folder whose *.onnx files are all loaded, each named after its file name without the extension. */
    private String modelsDir;

    /** Named models; a name here overrides a file of the same name in models-dir. */
    private Map<String, ModelProperties> models = new LinkedHashMap<>();

    private final Runtime runtime = new Runtime();
    private final Batching batching = new Batching();
    private final Store store = new Store();
    private final Shutdown shutdown = new Shutdown();

    public String getModelsDir() {
        return modelsDir;
    }

    public void setModelsDir(String modelsDir) {
        this.modelsDir = modelsDir;
    }

    public Map<String, ModelProperties> getModels() {
        return models;
    }

    public void setModels(Map<String, ModelProperties> models) {
        this.models = models;
    }

    public Runtime getRuntime() {
        return runtime;
    }

    public Batching getBatching() {
        return batching;
    }

    public Store getStore() {
        return store;
    }

    public Shutdown getShutdown() {
        return shutdown;
    }

    /** One model: exactly one of a file path or a class-path resource. */
    public static class ModelProperties {
        /** The model file (a file-system path; kept a string so Spring does not resolve it as a web resource). */
        private String path;
        /** A class-path resource, e.g. models/co2.onnx. */
        private String resource;

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public String getResource() {
            return resource;
        }

        public void setResource(String resource) {
            this.resource = resource;
        }
    }

    /** ONNX Runtime options, for every model. */
    public static class Runtime {
        /** Threads ONNX Runtime uses inside one call; 0 = its default. One thread per call suits serving. */
        private int intraOpThreads = 1;
        /** Graph optimization level. */
        private RuntimeOptions.OptimizationLevel optimizationLevel = RuntimeOptions.OptimizationLevel.ALL;
        /** Steps per ONNX Runtime run; longer feeds run in chunks (RunLimits; default 4096). */
        private int maxStepsPerRun = RunLimits.DEFAULT_MAX_STEPS_PER_RUN;
        /** Longest a feed or forward call may run before it is stopped; 0 = no limit (default 5 min). */
        private Duration callTimeout = RunLimits.DEFAULT_CALL_TIMEOUT;
        /** Largest beam width a generation may ask for (default 64). */
        private int maxBeamWidth = RunLimits.DEFAULT_MAX_BEAM_WIDTH;
        /** Most tokens one generation may produce (default 65536). */
        private int maxNewTokens = RunLimits.DEFAULT_MAX_NEW_TOKENS;
        /** Largest forecast horizon (default 100000). */
        private int maxHorizon = RunLimits.DEFAULT_MAX_HORIZON;

        public int getIntraOpThreads() {
            return intraOpThreads;
        }

        public void setIntraOpThreads(int intraOpThreads) {
            this.intraOpThreads = intraOpThreads;
        }

        public RuntimeOptions.OptimizationLevel getOptimizationLevel() {
            return optimizationLevel;
        }

        public void setOptimizationLevel(RuntimeOptions.OptimizationLevel optimizationLevel) {
            this.optimizationLevel = optimizationLevel;
        }

        public int getMaxStepsPerRun() {
            return maxStepsPerRun;
        }

        public void setMaxStepsPerRun(int maxStepsPerRun) {
            this.maxStepsPerRun = maxStepsPerRun;
        }

        public Duration getCallTimeout() {
            return callTimeout;
        }

        public void setCallTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
        }

        public int getMaxBeamWidth() {
            return maxBeamWidth;
        }

        public void setMaxBeamWidth(int maxBeamWidth) {
            this.maxBeamWidth = maxBeamWidth;
        }

        public int getMaxNewTokens() {
            return maxNewTokens;
        }

        public void setMaxNewTokens(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
        }

        public int getMaxHorizon() {
            return maxHorizon;
        }

        public void setMaxHorizon(int maxHorizon) {
            this.maxHorizon = maxHorizon;
        }

        private RunLimits toRunLimits() {
            try {
                return RunLimits.builder().optMaxStepsPerRun(maxStepsPerRun)
                        .optCallTimeout(callTimeout == null ? Duration.ZERO : callTimeout)
                        .optMaxBeamWidth(maxBeamWidth).optMaxNewTokens(maxNewTokens).optMaxHorizon(maxHorizon).build();
            } catch (IllegalArgumentException e) {
                // RunLimits names its settings in camel case ("maxBeamWidth: ..."); name the property instead.
                String message = e.getMessage();
                int colon = message.indexOf(':');
                String property = message.substring(0, colon).replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
                throw new IllegalArgumentException("stepwise.runtime." + property + message.substring(colon));
            }
        }

        RuntimeOptions toOptions() {
            if (intraOpThreads < 0) {
                throw new IllegalArgumentException("stepwise.runtime.intra-op-threads: expected ≥ 0 (0 = ONNX"
                        + " Runtime's default) but got " + intraOpThreads);
            }
            RuntimeOptions.Builder b = RuntimeOptions.builder().optOptimizationLevel(optimizationLevel)
                    .optRunLimits(toRunLimits());
            if (intraOpThreads > 0) {
                b.optIntraOpThreads(intraOpThreads);
            }
            return b.build();
        }
    }

    /**
     * Continuous batching: the steps of many sessions of a model run together in one ONNX Runtime call
     * ({@code io.stepwise.runtime.batch.BatchingModel}). The defaults are BatchingModel's (see BENCHMARKS.md).
     */
    public static class Batching {
        /** Batch sessions' steps together (bidirectional models, which cannot be stepped, never are). */
        private boolean enabled = true;
        /** Most sessions' steps in one call. */
        private int maxBatchSize = BatchingModel.DEFAULT_MAX_BATCH_SIZE;
        /** Longest a step waits for others to join its batch. */
        private Duration maxDelay = Duration.ofNanos(BatchingModel.DEFAULT_MAX_DELAY_MICROS * 1000L);
        /** Most sessions open at once per model; beyond it new sessions are refused (503). */
        private int maxSessions = BatchingModel.DEFAULT_MAX_SESSIONS;
        /** A session idle this long is evicted. */
        private Duration idleTimeout = Duration.ofMinutes(BatchingModel.DEFAULT_IDLE_TIMEOUT_MINUTES);
        /** Most requests waiting per model; beyond it steps are refused (503). */
        private int maxQueuedSteps = BatchingModel.DEFAULT_MAX_QUEUED_STEPS;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getMaxBatchSize() {
            return maxBatchSize;
        }

        public void setMaxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
        }

        public Duration getMaxDelay() {
            return maxDelay;
        }

        public void setMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
        }

        public int getMaxSessions() {
            return maxSessions;
        }

        public void setMaxSessions(int maxSessions) {
            this.maxSessions = maxSessions;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public int getMaxQueuedSteps() {
            return maxQueuedSteps;
        }

        public void setMaxQueuedSteps(int maxQueuedSteps) {
            this.maxQueuedSteps = maxQueuedSteps;
        }

        void validate() {
            positive("max-batch-size", maxBatchSize);
            positive("max-sessions", maxSessions);
            positive("max-queued-steps", maxQueuedSteps);
            if (maxDelay == null || maxDelay.isNegative()) {
                throw new IllegalArgumentException("stepwise.batching.max-delay: expected ≥ 0 but got " + maxDelay);
            }
            if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("stepwise.batching.idle-timeout: expected > 0 but got "
                        + idleTimeout);
            }
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException("stepwise.batching." + name + ": expected ≥ 1 but got " + value);
            }
        }
    }

    /** Where session states live between requests. */
    public static class Store {
        /** memory: in this process (the default, nothing to install); redis: shared by replicas. */
        private StoreType type = StoreType.MEMORY;
        /** A session expires this long after its last update. */
        private Duration ttl = Duration.ofMinutes(30);
        /** Redis key prefix. */
        private String keyPrefix = "stepwise:session:";
        /** In-memory store: most sessions kept; creating one more is refused. */
        private int maxSessions = 100_000;
        /** Redis store: longest wait between two reconnect attempts after Redis went away (Lettuce's own: 30 s). */
        private Duration reconnectMaxDelay = Duration.ofMillis(500);

        public Duration getReconnectMaxDelay() {
            return reconnectMaxDelay;
        }

        public void setReconnectMaxDelay(Duration reconnectMaxDelay) {
            this.reconnectMaxDelay = reconnectMaxDelay;
        }

        public StoreType getType() {
            return type;
        }

        public void setType(StoreType type) {
            this.type = type;
        }

        public Duration getTtl() {
            return ttl;
        }

        public void setTtl(Duration ttl) {
            this.ttl = ttl;
        }

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public int getMaxSessions() {
            return maxSessions;
        }

        public void setMaxSessions(int maxSessions) {
            this.maxSessions = maxSessions;
        }
    }

    /** The kinds of state store. */
    public enum StoreType {
        MEMORY, REDIS
    }

    /** Graceful shutdown. */
    public static class Shutdown {
        /** How long in-flight steps may take to finish before the models close and they fail. */
        private Duration timeout = Duration.ofSeconds(20);

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }
}
