/**
 * A fuzz harness for the inputs an attacker or a corrupt disk controls: model files (loaded and stepped), session
 * state bytes (restored and stepped), and the training CLI's data files (CSV series, character corpora, word
 * lists). {@link io.stepwise.fuzz.FuzzMain} generates cases with structure-aware mutators
 * ({@link io.stepwise.fuzz.ModelMutator} edits protobuf fields of ONNX models; {@link io.stepwise.fuzz.ByteMutator}
 * flips, overwrites and splices bytes and text) and runs each in a child JVM ({@link io.stepwise.fuzz.FuzzChild})
 * under a memory limit and a per-case timeout; the parent records every case before handing it over, so a crash
 * or a hang is attributed to the exact input and saved with a reproduction command. Run it with {@code make fuzz}.
 *
 * <p>Why a mutator of our own rather than Jazzer: the code that crashes is ONNX Runtime's native code, which
 * Jazzer's Java coverage instrumentation cannot see, so its guidance would only steer through our Java checks; and
 * Jazzer runs cases in its own process, where a native crash ends the campaign instead of being attributed to a
 * case. Knowing the ONNX structure, the mutator reaches the native code with parseable models from the first case.
 */
package io.stepwise.fuzz;
