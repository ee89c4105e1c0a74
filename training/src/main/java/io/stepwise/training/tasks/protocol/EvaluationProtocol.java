package io.stepwise.training.tasks.protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import java.util.Map;

/**
 * The evaluation protocol a model records under {@value #PROPERTY}: a JSON object with the held-out data, the
 * split and the metric's settings, so that the model's primary metric can be measured again later, through the
 * runtime. Each task's protocol is a record with its own fields ({@link LanguageModelProtocol.Protocol},
 * {@link ForecastProtocol.Protocol}, {@link ClassifyProtocol.Protocol}); this class holds what they share.
 */
public final class EvaluationProtocol {
    /** Metadata key without the {@code stepwise.} prefix. */
    public static final String KEY = "evaluation";
    /** Full metadata key. */
    public static final String PROPERTY = "stepwise." + KEY;

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private EvaluationProtocol() {
    }

    /** Compact JSON of a protocol map. */
    public static String toJson(Map<String, ?> protocol) {
        return GSON.toJson(protocol);
    }

    /**
     * Parses the {@value #PROPERTY} value of the model {@code source}.
     *
     * @param json the value, or null when the model has none
     * @throws IllegalArgumentException when it is missing or is not a JSON object
     */
    public static Map<String, Object> parse(String json, String source) {
        if (json == null) {
            throw new IllegalArgumentException("model: " + source + " has no " + PROPERTY + " metadata, so the "
                    + "data it was evaluated on is unknown; it was not made by stepwise train");
        }
        try {
            Map<String, Object> map = GSON.fromJson(json, new TypeToken<Map<String, Object>>() { }.getType());
            if (map == null) {
                throw new JsonParseException("empty");
            }
            return map;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("model: " + source + " has a malformed " + PROPERTY + " value: "
                    + json);
        }
    }

    /** The text entry {@code key}. */
    static String string(Map<String, Object> protocol, String key) {
        Object v = protocol.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("model: " + PROPERTY + " lacks the text entry '" + key + "'");
        }
        return s;
    }

    /** The whole-number entry {@code key}. */
    static long whole(Map<String, Object> protocol, String key) {
        Object v = protocol.get(key);
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException("model: " + PROPERTY + " lacks the whole-number entry '" + key
                    + "' (got " + v + ")");
        }
        return n.longValue();
    }

    /** The whole-number entry {@code key}, within the range of {@code int}. */
    static int integer(Map<String, Object> protocol, String key) {
        long v = whole(protocol, key);
        if (v != (int) v) {
            throw new IllegalArgumentException("model: " + PROPERTY + " entry '" + key + "' is out of range: " + v);
        }
        return (int) v;
    }

    /** The number entry {@code key}. */
    static double number(Map<String, Object> protocol, String key) {
        Object v = protocol.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("model: " + PROPERTY + " lacks the number entry '" + key + "' (got "
                    + v + ")");
        }
        return n.doubleValue();
    }
}
