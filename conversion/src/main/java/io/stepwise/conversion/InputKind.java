package io.stepwise.conversion;

/** What the network reads at each time step. */
public enum InputKind {
    /** Integer token ids looked up in an embedding table (graph input {@code tokens}, int64). */
    TOKENS("tokens"),
    /** A vector of real-valued features (graph input {@code features}, float). */
    FEATURES("features");

    private final String id;

    InputKind(String id) {
        this.id = id;
    }

    /** Metadata name, which is also the graph input's name. */
    public String id() {
        return id;
    }
}
