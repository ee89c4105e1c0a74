package io.stepwise.training.experiments;

/**
 * How big an experiment run is. Budgets are counts (steps, sizes, seeds), never wall-clock limits, so a run's
 * figures depend only on its scale and seeds, not on how busy the machine was.
 */
public enum ExperimentScale {
    /** A few steps on tiny sizes: checks that the code runs end to end (part of {@code make test}). */
    QUICK("quick"),
    /** The budgets the committed results in docs/experiments were measured with ({@code make experiments}). */
    FULL("full");

    private final String id;

    ExperimentScale(String id) {
        this.id = id;
    }

    /** The name used on the command line and in reports. */
    public String id() {
        return id;
    }

    /** {@code quick} for {@link #QUICK}, else {@code full}. */
    public <T> T pick(T quick, T full) {
        return this == QUICK ? quick : full;
    }

    /** The scale named {@code id}, case-insensitively. */
    public static ExperimentScale fromId(String id) {
        for (ExperimentScale s : values()) {
            if (s.id.equalsIgnoreCase(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("scale: expected quick or full but got '" + id + "'");
    }
}
