package io.stepwise.spring;

import java.util.Collection;
import java.util.List;

/** No model is served under the name asked for; the message lists those that are. */
public class ModelNotFoundException extends RuntimeException {
    private final String name;

    public ModelNotFoundException(String name, Collection<String> served) {
        super("model: no model named '" + name + "'; served: " + List.copyOf(served));
        this.name = name;
    }

    /** The name asked for. */
    public String name() {
        return name;
    }
}
