/**
 * The load generator behind {@code make load-test}: it speaks the reference service's HTTP API v1
 * (docs/service-api.md) through the JDK's {@link java.net.http.HttpClient} — sessions stepped token by token and
 * observation by observation, SSE generations — records latency, status codes and the replicas' CPU and memory,
 * checks fault runs against a local {@link io.stepwise.runtime.StepSession}, and writes the report
 * (benchmarks/load-test.md, .json, .png).
 */
package io.stepwise.load;
