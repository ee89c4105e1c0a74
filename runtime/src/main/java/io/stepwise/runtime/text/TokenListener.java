package io.stepwise.runtime.text;

/**
 * Receives each generated token as soon as it is chosen, for streaming output. Called on the generating thread;
 * a slow listener slows generation.
 *
 * <p>Tokens that complete a stop string are delivered too (the stop is detected after delivery), so a listener
 * that must never show a stop string should hold back text that could begin one.
 */
@FunctionalInterface
public interface TokenListener {

    /**
     * @param tokenId the generated token id
     * @param text    its text (one character for character-level models)
     * @return {@code true} to continue, {@code false} to stop generation now
     *         ({@link GenerationResult.StopReason#CANCELLED}); the token is still part of the result
     */
    boolean onToken(int tokenId, String text);
}
