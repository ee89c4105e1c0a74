package io.stepwise.training.experiments;

import java.util.Objects;

/**
 * One textbook claim and what the measurement said about it.
 *
 * @param statement the claim in one line, as the textbook puts it
 * @param verdict   held, held partly or did not hold — decided from the figures by the experiment's stated rule
 * @param evidence  the numbers behind the verdict (means, spreads, seeds)
 */
public record Claim(String statement, Verdict verdict, String evidence) {
    public Claim {
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(evidence, "evidence");
    }
}
