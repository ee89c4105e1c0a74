package io.stepwise.flink;

/** How the operator runs the model over a bundle of events. */
public enum Stepping {
    /** One ONNX Runtime call per round of a bundle: the events of many keys at once (the default). */
    BUNDLED,
    /**
     * One ONNX Runtime call per event through a {@link io.stepwise.runtime.StepSession} that restores each key's
     * state, steps and snapshots it: the straightforward way, kept as the baseline of the benchmark.
     */
    PER_EVENT
}
