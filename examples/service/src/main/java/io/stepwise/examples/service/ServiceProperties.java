package io.stepwise.examples.service;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** The service's own settings, under {@code stepwise.service} (see docs/service-api.md, Configuration). */
@ConfigurationProperties("stepwise.service")
public class ServiceProperties {
    /** API keys; empty = no authentication. A session belongs to the key that created it. */
    private List<String> apiKeys = new ArrayList<>();
    /** Largest request body in bytes; beyond it 413. */
    private long maxRequestBytes = 1024 * 1024;
    /** Requests per second per key (or client address without keys); 0 = no limit. Burst: two seconds' worth. */
    private double rateLimitRequestsPerSecond = 0;
    /** Most generations running at once; beyond it 503. */
    private int maxConcurrentGenerations = 16;
    /**
     * Whether text generations step through the batching front (when {@code stepwise.batching.enabled}). Off: each
     * generation steps its own session on its request's thread — its tokens depend on each other, so they cannot be
     * batched together, and a hand-off per token made generation 4× slower under load (benchmarks/load-test.md).
     */
    private boolean batchGenerations = false;
    private int maxNewTokens = 1024;
    private int maxPromptChars = 4096;
    private int maxStepsPerRequest = 4096;
    private int maxHorizon = 1000;
    private int maxClassifyTexts = 256;
    private int maxBeamWidth = 16;
    /** Seconds a client is told to wait (Retry-After) after 429 or 503. */
    private int retryAfterSeconds = 1;
    /** Requests being handled at once; beyond it 503 at once (below the servlet container's 200 worker threads). */
    private int maxConcurrentRequests = 128;

    public boolean isBatchGenerations() {
        return batchGenerations;
    }

    public void setBatchGenerations(boolean batchGenerations) {
        this.batchGenerations = batchGenerations;
    }

    public List<String> getApiKeys() {
        return apiKeys;
    }

    public void setApiKeys(List<String> apiKeys) {
        this.apiKeys = apiKeys;
    }

    public long getMaxRequestBytes() {
        return maxRequestBytes;
    }

    public void setMaxRequestBytes(long maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    public double getRateLimitRequestsPerSecond() {
        return rateLimitRequestsPerSecond;
    }

    public void setRateLimitRequestsPerSecond(double rateLimitRequestsPerSecond) {
        this.rateLimitRequestsPerSecond = rateLimitRequestsPerSecond;
    }

    public int getMaxConcurrentGenerations() {
        return maxConcurrentGenerations;
    }

    public void setMaxConcurrentGenerations(int maxConcurrentGenerations) {
        this.maxConcurrentGenerations = maxConcurrentGenerations;
    }

    public int getMaxNewTokens() {
        return maxNewTokens;
    }

    public void setMaxNewTokens(int maxNewTokens) {
        this.maxNewTokens = maxNewTokens;
    }

    public int getMaxPromptChars() {
        return maxPromptChars;
    }

    public void setMaxPromptChars(int maxPromptChars) {
        this.maxPromptChars = maxPromptChars;
    }

    public int getMaxStepsPerRequest() {
        return maxStepsPerRequest;
    }

    public void setMaxStepsPerRequest(int maxStepsPerRequest) {
        this.maxStepsPerRequest = maxStepsPerRequest;
    }

    public int getMaxHorizon() {
        return maxHorizon;
    }

    public void setMaxHorizon(int maxHorizon) {
        this.maxHorizon = maxHorizon;
    }

    public int getMaxClassifyTexts() {
        return maxClassifyTexts;
    }

    public void setMaxClassifyTexts(int maxClassifyTexts) {
        this.maxClassifyTexts = maxClassifyTexts;
    }

    public int getMaxBeamWidth() {
        return maxBeamWidth;
    }

    public void setMaxBeamWidth(int maxBeamWidth) {
        this.maxBeamWidth = maxBeamWidth;
    }

    public int getRetryAfterSeconds() {
        return retryAfterSeconds;
    }

    public void setRetryAfterSeconds(int retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int getMaxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    public void setMaxConcurrentRequests(int maxConcurrentRequests) {
        this.maxConcurrentRequests = maxConcurrentRequests;
    }
}
