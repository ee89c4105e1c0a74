package io.stepwise.flink;

/** What the operator emits for each event. */
public enum OutputMode {
    /** The softmax of the model's logits: the probability of each next token (token models). */
    NEXT_TOKEN_PROBABILITIES,
    /** The forecast of the next observation in the series' units (forecasters). */
    FORECAST,
    /**
     * How far the observation lies from the model's one-step forecast of it, in units of the key's recent forecast
     * error, together with the forecast of the next observation (forecasters).
     */
    ANOMALY_SCORE
}
