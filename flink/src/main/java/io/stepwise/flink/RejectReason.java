package io.stepwise.flink;

/** Why an event went to the side output instead of being stepped. */
public enum RejectReason {
    /** An observation holds NaN or an infinite value. */
    NOT_FINITE,
    /** An observation's width is not the model's feature count. */
    WRONG_WIDTH,
    /** A token outside [0, vocabulary size). */
    TOKEN_OUT_OF_RANGE,
    /** A token for a model that reads observations, or the reverse. */
    WRONG_INPUT_KIND,
    /** Behind the watermark ({@link TimePolicy#REJECT_LATE}). */
    LATE,
    /** Not after the key's last stepped event ({@link TimePolicy#REJECT_OUT_OF_ORDER}). */
    OUT_OF_ORDER
}
