package io.stepwise.examples.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.stepwise.runtime.text.GenerationConfig;
import io.stepwise.runtime.text.GenerationResult;
import io.stepwise.runtime.text.TextGenerator;
import io.stepwise.runtime.text.TokenListener;
import io.stepwise.spring.ModelRegistry;
import io.stepwise.spring.ServedModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Text generation for the API: request → {@link GenerationConfig} (validated against the service's limits and the
 * config's own ranges), one {@link TextGenerator} per model, and a cap on generations running at once (503 beyond
 * it, enforced by {@link RequestGuardFilter} before the request is parsed). Generations run on the model directly ({@link ServedModel#directSource()}), not through the batching front,
 * unless {@code stepwise.service.batch-generations}. Counts outcomes in {@code stepwise.generations} (tagged {@code model}, {@code stopReason}).
 */
@Component
class Generation {
    private final ModelRegistry models;
    private final ServiceProperties properties;
    private final Semaphore running;
    private final ObjectProvider<MeterRegistry> meters;
    private final Map<String, TextGenerator> generators = new ConcurrentHashMap<>();

    Generation(ModelRegistry models, ServiceProperties properties, ObjectProvider<MeterRegistry> meters) {
        this.models = models;
        this.properties = properties;
        this.meters = meters;
        if (properties.getMaxConcurrentGenerations() < 1) {
            throw new IllegalArgumentException("stepwise.service.max-concurrent-generations: expected ≥ 1 but got "
                    + properties.getMaxConcurrentGenerations());
        }
        this.running = new Semaphore(properties.getMaxConcurrentGenerations());
    }

    /** A validated generation, ready to run once a slot is {@link #acquire acquired}. */
    record Prepared(ServedModel model, TextGenerator generator, String prompt, GenerationConfig config) {
    }

    Prepared prepare(String modelName, Requests.Generate r) {
        ServedModel model = models.get(modelName);
        TextGenerator generator = generators.computeIfAbsent(model.name(), n -> {
            try {
                return new TextGenerator(properties.isBatchGenerations() ? model.source() : model.directSource());
            } catch (IllegalArgumentException e) {
                throw new UnsupportedOperationException("model " + n + ": cannot generate text: " + e.getMessage());
            }
        });
        if (r == null) {
            throw ApiException.invalidField("prompt", "prompt: a JSON body with at least a prompt is required");
        }
        if (r.prompt() == null || r.prompt().isEmpty()) {
            throw ApiException.invalidField("prompt", "prompt: expected 1 … " + properties.getMaxPromptChars()
                    + " characters but got " + (r.prompt() == null ? "none" : "an empty string"));
        }
        int promptLength = r.prompt().codePointCount(0, r.prompt().length());
        if (promptLength > properties.getMaxPromptChars()) {
            throw ApiException.invalidField("prompt", "prompt: expected at most " + properties.getMaxPromptChars()
                    + " characters (stepwise.service.max-prompt-chars) but got " + promptLength);
        }
        generator.encode(r.prompt()); // refuses characters outside the vocabulary, naming the first
        GenerationConfig.Builder b = GenerationConfig.builder();
        String strategy = r.strategy() == null ? "sampling" : r.strategy();
        switch (strategy) {
            case "sampling" -> b.optSampling();
            case "greedy" -> b.optGreedy();
            case "beam_search" -> {
                int width = r.beamWidth() == null ? 4 : r.beamWidth();
                if (width < 1 || width > properties.getMaxBeamWidth()) {
                    throw ApiException.invalidField("beamWidth", "beamWidth: expected 1 … "
                            + properties.getMaxBeamWidth() + " but got " + width);
                }
                b.optBeamSearch(width);
            }
            default -> throw ApiException.invalidField("strategy", "strategy: expected one of sampling, greedy,"
                    + " beam_search but got \"" + strategy + "\"");
        }
        if (r.beamWidth() != null && !strategy.equals("beam_search")) {
            throw ApiException.invalidField("beamWidth", "beamWidth: only used with strategy beam_search, but"
                    + " strategy is " + strategy);
        }
        if (r.maxNewTokens() != null) {
            if (r.maxNewTokens() < 1 || r.maxNewTokens() > properties.getMaxNewTokens()) {
                throw ApiException.invalidField("maxNewTokens", "maxNewTokens: expected 1 … "
                        + properties.getMaxNewTokens() + " but got " + r.maxNewTokens());
            }
            b.optMaxNewTokens(r.maxNewTokens());
        }
        if (r.temperature() != null) {
            b.optTemperature(r.temperature());
        }
        if (r.topK() != null) {
            b.optTopK(r.topK());
        }
        if (r.topP() != null) {
            b.optTopP(r.topP());
        }
        if (r.repetitionPenalty() != null) {
            b.optRepetitionPenalty(r.repetitionPenalty());
        }
        if (r.seed() != null) {
            b.optSeed(r.seed());
        }
        if (r.stopStrings() != null) {
            b.optStopStrings(r.stopStrings());
        }
        if (r.lengthPenalty() != null) {
            b.optLengthPenalty(r.lengthPenalty());
        }
        return new Prepared(model, generator, r.prompt(), b.build());
    }

    /**
     * Takes a generation slot if one is free; whoever gets {@code true} releases it with {@link #release}. The
     * request guard takes it before the request is parsed (a refused generation then costs no body parsing, no
     * controller and no exception), and releases it when the request — the whole event stream — has ended.
     */
    boolean tryAcquire() {
        return running.tryAcquire();
    }

    void release() {
        running.release();
    }

    /** The slots, for the refusal's detail. */
    int slots() {
        return properties.getMaxConcurrentGenerations();
    }

    GenerationResult run(Prepared p, TokenListener listener) {
        GenerationResult result = p.generator().generate(p.prompt(), p.config(), listener);
        MeterRegistry registry = meters.getIfAvailable();
        if (registry != null) {
            registry.counter("stepwise.generations", "model", p.model().name(), "stopReason",
                    result.stopReason().name().toLowerCase()).increment();
        }
        return result;
    }

    static Map<String, Object> view(String model, GenerationResult r) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("model", model);
        v.put("text", r.text());
        v.put("tokenIds", r.tokenIds());
        v.put("generatedTokens", r.generatedTokens());
        v.put("promptTokens", r.promptTokens());
        v.put("stopReason", r.stopReason().name().toLowerCase());
        v.put("stopString", r.stopString().orElse(null));
        v.put("seed", r.seed().isPresent() ? r.seed().getAsLong() : null);
        return v;
    }
}
