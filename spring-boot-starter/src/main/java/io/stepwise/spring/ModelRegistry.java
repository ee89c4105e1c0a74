package io.stepwise.spring;

import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.RuntimeOptions;
import io.stepwise.runtime.batch.BatchListener;
import io.stepwise.runtime.batch.BatchingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The models an application serves, by name, loaded once at startup from {@link StepwiseProperties}. Also the
 * graceful-shutdown step: on stop it refuses new work, waits for the sessions in flight (up to
 * {@code stepwise.shutdown.timeout}), hands the states of sessions still open to their savers, and closes the
 * models. It stops after the web server has finished its own graceful shutdown (a lower lifecycle phase), so
 * requests already accepted complete first.
 */
public final class ModelRegistry implements SmartLifecycle, AutoCloseable {
    /** After the web server's graceful shutdown (phase {@code DEFAULT_PHASE - 1024}) has drained requests. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final Map<String, ServedModel> models;
    private final Duration shutdownTimeout;
    private volatile boolean running;

    /** Serves the given models (the registry owns and closes them). */
    public ModelRegistry(Collection<ServedModel> models, Duration shutdownTimeout) {
        Map<String, ServedModel> byName = new LinkedHashMap<>();
        for (ServedModel m : models) {
            if (byName.putIfAbsent(m.name(), m) != null) {
                throw new IllegalArgumentException("stepwise.models: the name '" + m.name() + "' is used twice");
            }
        }
        this.models = Collections.unmodifiableMap(byName);
        this.shutdownTimeout = shutdownTimeout == null ? Duration.ofSeconds(20) : shutdownTimeout;
    }

    /**
     * Loads every model the properties name: the *.onnx files of {@code models-dir} (sorted by name), then the
     * named models, which override a file of the same name.
     *
     * @throws IllegalArgumentException naming the property when a model is configured wrongly
     * @throws io.stepwise.runtime.StepwiseException when a model file cannot be loaded (its path in the message)
     */
    public static ModelRegistry load(StepwiseProperties properties, StepwiseObserver observer) {
        StepwiseProperties.Batching batching = properties.getBatching();
        batching.validate();
        RuntimeOptions options = properties.getRuntime().toOptions();
        Map<String, Object> sources = new TreeMap<>();
        Path dir = blank(properties.getModelsDir()) ? null : Path.of(properties.getModelsDir());
        if (dir != null) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("stepwise.models-dir: " + dir.toAbsolutePath()
                        + " is not a folder");
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().endsWith(".onnx") && Files.isRegularFile(p))
                        .forEach(p -> {
                            String file = p.getFileName().toString();
                            sources.put(file.substring(0, file.length() - ".onnx".length()), p);
                        });
            } catch (IOException e) {
                throw new IllegalArgumentException("stepwise.models-dir: cannot list " + dir.toAbsolutePath()
                        + ": " + e.getMessage(), e);
            }
        }
        Map<String, Object> named = new LinkedHashMap<>();
        properties.getModels().forEach((name, m) -> {
            if (blank(m.getPath()) == blank(m.getResource())) {
                throw new IllegalArgumentException("stepwise.models." + name + ": expected exactly one of path or"
                        + " resource");
            }
            named.put(name, blank(m.getPath()) ? m.getResource() : Path.of(m.getPath()));
        });
        sources.putAll(named);
        List<ServedModel> loaded = new ArrayList<>();
        try {
            for (Map.Entry<String, Object> e : sources.entrySet()) {
                long start = System.nanoTime();
                RecurrentModel model = e.getValue() instanceof Path p
                        ? RecurrentModel.load(p, options)
                        : RecurrentModel.fromResource((String) e.getValue(), options);
                ServedModel served;
                try {
                    served = new ServedModel(e.getKey(), model, batching.isEnabled()
                            ? batchingFront(e.getKey(), model, batching, observer) : null, observer);
                } catch (RuntimeException ex) {
                    model.close();
                    throw ex;
                }
                loaded.add(served);
                LOG.info("Stepwise model '{}' loaded from {} in {} ms: {}", e.getKey(), e.getValue(),
                        (System.nanoTime() - start) / 1_000_000, model);
            }
        } catch (RuntimeException ex) {
            loaded.forEach(ServedModel::close);
            throw ex;
        }
        for (ServedModel m : loaded) {
            observer.onModelLoaded(m);
        }
        return new ModelRegistry(loaded, properties.getShutdown().getTimeout());
    }

    /** The batching front over {@code model}, reporting to {@code observer}; the model stays the caller's. */
    private static BatchingModel batchingFront(String name, RecurrentModel model, StepwiseProperties.Batching b,
                                               StepwiseObserver observer) {
        if (model.info().bidirectional()) {
            return null;
        }
        return BatchingModel.builder().setModel(model).optMaxBatchSize(b.getMaxBatchSize())
                .optMaxDelay(b.getMaxDelay()).optMaxSessions(b.getMaxSessions()).optIdleTimeout(b.getIdleTimeout())
                .optMaxQueuedSteps(b.getMaxQueuedSteps()).optListener(new BatchListener() {
                    @Override
                    public void onBatch(int size, long queueWaitNanos, long runNanos) {
                        observer.onBatch(name, size, queueWaitNanos, runNanos);
                    }

                    @Override
                    public void onRejected(String reason) {
                        observer.onRejected(name, reason);
                    }

                    @Override
                    public void onEvicted(String reason) {
                        observer.onEvicted(name, reason);
                    }
                }).build();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * The model served as {@code name}.
     *
     * @throws ModelNotFoundException when there is none
     */
    public ServedModel get(String name) {
        ServedModel m = name == null ? null : models.get(name);
        if (m == null) {
            throw new ModelNotFoundException(name, models.keySet());
        }
        return m;
    }

    /** Every served model, in name order. */
    public Collection<ServedModel> all() {
        return models.values();
    }

    @Override
    public void start() {
        for (ServedModel m : models.values()) {
            m.resume();
        }
        running = true;
    }

    /**
     * Graceful stop: drain, then save live sessions. The models stay loaded, so that a context stopped and started
     * again (Spring's test context cache pauses contexts that way) serves again; they are closed with the context
     * ({@link #close()}, the bean's destroy method), after this stop.
     */
    @Override
    public void stop() {
        running = false;
        long deadline = System.currentTimeMillis() + shutdownTimeout.toMillis();
        try {
            for (ServedModel m : models.values()) {
                if (!m.drain(Math.max(0, deadline - System.currentTimeMillis()))) {
                    LOG.warn("Stepwise model '{}': {} session(s) still open after the {} shutdown timeout; saving"
                            + " their states and closing", m.name(), m.openSessions(), shutdownTimeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ServedModel m : models.values()) {
            for (Throwable t : m.saveLiveSessions()) {
                LOG.warn("Stepwise model '{}': saving a live session's state at shutdown failed", m.name(), t);
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Closes every model. Idempotent. */
    @Override
    public void close() {
        for (ServedModel m : models.values()) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.warn("Stepwise model '{}': close failed", m.name(), e);
            }
        }
    }
}
