/**
 * Continuous batching: many concurrent sequences stepped in one ONNX Runtime call.
 *
 * <p>A {@link io.stepwise.runtime.batch.BatchingModel} is a {@link io.stepwise.runtime.SessionSource} over one
 * loaded {@link io.stepwise.runtime.RecurrentModel}. It hands out {@link io.stepwise.runtime.batch.BatchedSession}s
 * with the {@link io.stepwise.runtime.Session} contract, plus {@code CompletableFuture} forms, and a scheduler thread
 * gathers the pending steps of different sessions into one call (up to a maximum batch size, waiting at most a short
 * delay for more work), through the same kernel as {@link io.stepwise.runtime.RecurrentModel#stepAll}. Idle
 * sessions hold only their state (no native tensors). Limits for services — open sessions, an idle timeout with
 * eviction to an optional {@link io.stepwise.runtime.batch.EvictionStore}, a bounded queue — fail fast with
 * {@link io.stepwise.runtime.batch.BatchingOverloadedException} or
 * {@link io.stepwise.runtime.batch.SessionEvictedException}; a {@link io.stepwise.runtime.batch.BatchListener}
 * sees every batch, rejection and eviction (for metrics).
 */
package io.stepwise.runtime.batch;
