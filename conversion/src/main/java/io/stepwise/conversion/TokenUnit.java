package io.stepwise.conversion;

/**
 * What one token id of a token-input model stands for ({@link MetadataKeys#TOKEN_UNIT}): one character of text,
 * or one event of a sequence of named events (a clickstream, a log). A file without the key holds characters.
 */
public enum TokenUnit {
    /** One Unicode code point; the vocabulary holds one code point per entry. */
    CHARACTER("character"),
    /** One named event; the vocabulary holds the event names, index = id. */
    EVENT("event");

    private final String id;

    TokenUnit(String id) {
        this.id = id;
    }

    /** The value of {@link MetadataKeys#TOKEN_UNIT}, e.g. {@code event}. */
    public String id() {
        return id;
    }
}
