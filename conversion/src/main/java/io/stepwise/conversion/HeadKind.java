package io.stepwise.conversion;

/** Where the linear output head reads from. */
public enum HeadKind {
    /** On every time step of the top layer: output [batch, sequence, O]. Language models and forecasters. */
    PER_STEP("per_step"),
    /**
     * On the top layer's final hidden states, directions concatenated (forward, then backward): output
     * [batch, O]. Sequence classifiers, and the only head that makes sense for bidirectional layers.
     */
    FINAL_STATE("final_state");

    private final String id;

    HeadKind(String id) {
        this.id = id;
    }

    /** Metadata name. */
    public String id() {
        return id;
    }
}
