package io.stepwise.conversion;

import java.util.Arrays;
import java.util.Locale;

/** What a model is for; decides which helpers the runtime offers for it. */
public enum Task {
    /** Predicts the next token's logits at every step (text generation). */
    LANGUAGE_MODEL("language_model"),
    /** Predicts the next step of a (scaled) multivariate series at every step. */
    FORECASTER("forecaster"),
    /** Predicts label logits for a whole sequence. */
    CLASSIFIER("classifier");

    private final String id;

    Task(String id) {
        this.id = id;
    }

    /** Metadata name, e.g. {@code language_model}. */
    public String id() {
        return id;
    }

    /** Parses a metadata or command-line name; {@code -} and {@code _} are interchangeable. */
    public static Task fromId(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (Task t : values()) {
            if (t.id.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("task: expected one of "
                + Arrays.toString(Arrays.stream(values()).map(Task::id).toArray()) + " but got '" + name + "'");
    }
}
