package io.stepwise.conversion;

import java.util.Arrays;
import java.util.Locale;

/** How far apart a forecaster's rows are ({@link MetadataKeys#FREQUENCY}). */
public enum Frequency {
    DAILY("daily"),
    WEEKLY("weekly"),
    MONTHLY("monthly"),
    QUARTERLY("quarterly"),
    YEARLY("yearly");

    private final String id;

    Frequency(String id) {
        this.id = id;
    }

    /** Metadata name, e.g. {@code monthly}. */
    public String id() {
        return id;
    }

    /** Parses a metadata or command-line name (case-insensitive). */
    public static Frequency fromId(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Frequency f : values()) {
            if (f.id.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("frequency: expected one of "
                + Arrays.toString(Arrays.stream(values()).map(Frequency::id).toArray()) + " but got '" + name + "'");
    }
}
