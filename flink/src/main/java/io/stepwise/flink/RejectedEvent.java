package io.stepwise.flink;

import java.util.Objects;

/**
 * An event that was not stepped, with the reason; the key's state is as it was before the event.
 *
 * @param event   the event as received
 * @param reason  the kind of problem
 * @param message what was wrong, naming the value and what was expected
 */
public record RejectedEvent(StepEvent event, RejectReason reason, String message) {
    public RejectedEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }
}
