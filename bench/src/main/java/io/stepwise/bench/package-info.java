/**
 * Benchmarks ({@code make bench}, {@link io.stepwise.bench.BenchmarkSuite}): step latency of Stepwise against raw
 * ONNX Runtime and DJL, prefill, concurrent throughput, training throughput, and the memory soak
 * ({@link io.stepwise.bench.MemorySoak}, also {@code make soak}).
 */
package io.stepwise.bench;
