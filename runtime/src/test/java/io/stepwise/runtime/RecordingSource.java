package io.stepwise.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SessionSource} that is not a {@link RecurrentModel} — as a batching front would be — handing out the
 * model's sessions and remembering them, so tests can show that the task helpers run on any source and close what
 * they open.
 */
public final class RecordingSource implements SessionSource {
    private final RecurrentModel model;
    private final List<Session> opened = new ArrayList<>();

    public RecordingSource(RecurrentModel model) {
        this.model = model;
    }

    @Override
    public ModelInfo info() {
        return model.info();
    }

    @Override
    public Session newSession() {
        Session s = model.newSession();
        opened.add(s);
        return s;
    }

    /** Every session handed out so far. */
    public List<Session> opened() {
        return List.copyOf(opened);
    }
}
