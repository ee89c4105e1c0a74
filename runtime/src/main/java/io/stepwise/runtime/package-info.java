/**
 * Run stage, the core: loading a Stepwise model and running it step by step on ONNX Runtime alone.
 *
 * <ul>
 *   <li>{@link io.stepwise.runtime.RecurrentModel} — a loaded model, heavy and thread-safe: load once, then
 *       {@link io.stepwise.runtime.RecurrentModel#forward whole sequences} or light sessions;</li>
 *   <li>{@link io.stepwise.runtime.Session} / {@link io.stepwise.runtime.SessionSource} — the contract of one
 *       stateful sequence and of what hands them out; {@link io.stepwise.runtime.StepSession} is the session of a
 *       {@code RecurrentModel}, {@link io.stepwise.runtime.SessionState} its immutable, serialisable state;</li>
 *   <li>{@link io.stepwise.runtime.ModelInfo} — what a model is (a value), rendered for people by
 *       {@link io.stepwise.runtime.ModelInfoRenderer}; {@link io.stepwise.runtime.ModelFormat} — the file contract's
 *       names (docs/model-format.md);</li>
 *   <li>{@link io.stepwise.runtime.RuntimeOptions}, {@link io.stepwise.runtime.Device},
 *       {@link io.stepwise.runtime.ModelSignature} (models from other tools),
 *       {@link io.stepwise.runtime.BatchResult}, {@link io.stepwise.runtime.Logits},
 *       {@link io.stepwise.runtime.StepwiseException}.</li>
 * </ul>
 *
 * <p>Package-private internals: {@code ModelLoader} (reading and vetting a file before ONNX Runtime sees it — the
 * security-sensitive entry point), {@code OnnxWireScanner}, {@code GraphBinder}, {@code MetadataParser},
 * {@code BatchRunner}, {@code InputChecks}, {@code JsonReader}. Task helpers live in the {@code text},
 * {@code forecast} and {@code classify} subpackages.
 */
package io.stepwise.runtime;
