package io.stepwise.training.experiments;

/** What a measurement says about a textbook claim. */
public enum Verdict {
    HELD("held"),
    HELD_PARTLY("held partly"),
    DID_NOT_HOLD("did not hold");

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** The words used in reports: "held", "held partly", "did not hold". */
    public String label() {
        return label;
    }

    /** {@link #HELD} when every part held, {@link #DID_NOT_HOLD} when none did, else {@link #HELD_PARTLY}. */
    public static Verdict of(int partsHeld, int parts) {
        if (parts <= 0) {
            throw new IllegalArgumentException("parts: expected at least one but got " + parts);
        }
        return partsHeld >= parts ? HELD : partsHeld <= 0 ? DID_NOT_HOLD : HELD_PARTLY;
    }

    /** The verdict written as {@link #label()}. */
    public static Verdict fromLabel(String label) {
        for (Verdict v : values()) {
            if (v.label.equals(label)) {
                return v;
            }
        }
        throw new IllegalArgumentException("verdict: expected held, held partly or did not hold but got '" + label
                + "'");
    }
}
