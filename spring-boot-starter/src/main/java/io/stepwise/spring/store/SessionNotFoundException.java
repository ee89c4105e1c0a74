package io.stepwise.spring.store;

/** No session with that id: never created, deleted, or expired (a service answers 404). */
public class SessionNotFoundException extends RuntimeException {
    private final String id;

    public SessionNotFoundException(String id) {
        super("session: no session '" + id + "' (it may have expired)");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
