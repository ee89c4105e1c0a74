package io.stepwise.flink;

/**
 * What the operator does with events that arrive out of order. A recurrent state moves forward only, so an event
 * older than one already stepped cannot be slotted in; it can be stepped where it arrives or refused.
 */
public enum TimePolicy {
    /** Step events in the order they arrive, whatever their timestamps. */
    ARRIVAL_ORDER,
    /**
     * Refuse an event whose timestamp is not after the key's last stepped event (out of order or a duplicate
     * time) to the side output, reason {@link RejectReason#OUT_OF_ORDER}. The default.
     */
    REJECT_OUT_OF_ORDER,
    /**
     * As {@link #REJECT_OUT_OF_ORDER}, and also refuse events behind the operator's current watermark, reason
     * {@link RejectReason#LATE}.
     */
    REJECT_LATE
}
