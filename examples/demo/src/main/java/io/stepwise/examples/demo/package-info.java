/**
 * The main job, {@code make demo}: every default model in {@code models/} run with the runtime jar and ONNX Runtime
 * alone — text generated token by token, a CO2 forecast, words classified by language.
 */
package io.stepwise.examples.demo;
