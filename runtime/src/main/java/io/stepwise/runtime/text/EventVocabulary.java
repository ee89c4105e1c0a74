package io.stepwise.runtime.text;

import io.stepwise.runtime.Logits;
import io.stepwise.runtime.ModelFormat;
import io.stepwise.runtime.ModelInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Event names ↔ token ids of a next-event model ({@code stepwise.token_unit = event}): the model's
 * {@code stepwise.vocabulary} holds one event name per id. Feed a session the ids of the events seen so far
 * ({@link #ids}) and read the next event from its output with {@link #mostLikely}:
 *
 * <pre>{@code
 * EventVocabulary events = EventVocabulary.forModel(model.info());
 * try (Session s = model.newSession()) {
 *     float[][] out = s.feed(events.ids(List.of("home", "search", "view_item")));
 *     List<EventVocabulary.Prediction> next = events.mostLikely(out[out.length - 1], 3);
 * }
 * }</pre>
 *
 * <p>An unknown event name becomes the model's unknown token when it has one and is refused otherwise. Immutable
 * and thread-safe.
 */
public final class EventVocabulary {
    /** One predicted next event. */
    public record Prediction(String event, int id, double probability) {
    }

    private final List<String> names;
    private final Map<String, Integer> idByName = new HashMap<>();
    private final int unknownToken;

    private EventVocabulary(List<String> names, int unknownToken) {
        this.names = List.copyOf(names);
        for (int id = 0; id < this.names.size(); id++) {
            idByName.putIfAbsent(this.names.get(id), id);
        }
        this.unknownToken = unknownToken;
    }

    /**
     * The vocabulary of a next-event model.
     *
     * @throws IllegalArgumentException when the model is not an event model or has no vocabulary
     */
    public static EventVocabulary forModel(ModelInfo model) {
        Objects.requireNonNull(model, "model");
        if (model.tokenUnit() != ModelFormat.TokenUnit.EVENT) {
            throw new IllegalArgumentException("model: " + ModelFormat.TOKEN_UNIT + " is " + model.tokenUnit()
                    + "; expected event (a model trained with stepwise train --task event-model)");
        }
        if (model.vocabulary().isEmpty()) {
            throw new IllegalArgumentException("model: it has no " + ModelFormat.VOCABULARY + " of event names");
        }
        OptionalInt unknown = model.unknownToken();
        return new EventVocabulary(model.vocabulary(), unknown.orElse(-1));
    }

    /** Number of events (ids). */
    public int size() {
        return names.size();
    }

    /** The event names, index = id. */
    public List<String> names() {
        return names;
    }

    /** The unknown token, when the model has one. */
    public OptionalInt unknownToken() {
        return unknownToken < 0 ? OptionalInt.empty() : OptionalInt.of(unknownToken);
    }

    /**
     * The id of {@code event}.
     *
     * @throws IllegalArgumentException naming the event when it is unknown and the model has no unknown token
     */
    public int id(String event) {
        Objects.requireNonNull(event, "event");
        Integer id = idByName.get(event);
        if (id != null) {
            return id;
        }
        if (unknownToken < 0) {
            throw new IllegalArgumentException("event: '" + event + "' is not in the model's vocabulary of "
                    + names.size() + " events and the model has no unknown token");
        }
        return unknownToken;
    }

    /** The ids of {@code events}, in order. */
    public int[] ids(Collection<String> events) {
        Objects.requireNonNull(events, "events");
        int[] ids = new int[events.size()];
        int i = 0;
        for (String e : events) {
            ids[i++] = id(e);
        }
        return ids;
    }

    /**
     * The name of {@code id}.
     *
     * @throws IllegalArgumentException when the id is outside the vocabulary
     */
    public String name(int id) {
        if (id < 0 || id >= names.size()) {
            throw new IllegalArgumentException("id: expected an event id in [0, " + names.size() + ") but got " + id);
        }
        return names.get(id);
    }

    /**
     * The {@code k} most likely next events of a step's output logits, most likely first (probabilities from the
     * softmax over all ids; ties by lower id).
     *
     * @throws IllegalArgumentException when the logits do not have one value per event or {@code k < 1}
     */
    public List<Prediction> mostLikely(float[] logits, int k) {
        Objects.requireNonNull(logits, "logits");
        if (logits.length != names.size()) {
            throw new IllegalArgumentException("logits: expected " + names.size() + " values (one per event) but got "
                    + logits.length);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k: expected ≥ 1 but got " + k);
        }
        double[] logp = Logits.logSoftmax(logits);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> logp[a] == logp[b] ? Integer.compare(a, b) : Double.compare(logp[b], logp[a]));
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            out.add(new Prediction(names.get(order[i]), order[i], Math.exp(logp[order[i]])));
        }
        return out;
    }
}
