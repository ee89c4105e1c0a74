/**
 * Apache Flink integration: each key of a keyed stream is one recurrent sequence whose state lives in Flink's keyed
 * state as {@link io.stepwise.runtime.SessionState} bytes, checkpointed exactly once and redistributed when the job
 * rescales. {@link io.stepwise.flink.RecurrentStep} is the entry point; events of many keys are stepped together in
 * one ONNX Runtime call (a bundle flushed by size, by time, before every watermark and every checkpoint).
 */
package io.stepwise.flink;
