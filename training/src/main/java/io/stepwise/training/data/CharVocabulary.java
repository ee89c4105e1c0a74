package io.stepwise.training.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A character vocabulary: token id ↔ Unicode code point.
 *
 * <p>Id 0 is always the unknown token, written as U+FFFD (the Unicode replacement character) so that every
 * token is one code point, as the model file's {@code stepwise.vocabulary} expects. Ids 1..size-1 are the
 * kept characters in increasing code-point order, which makes the vocabulary a pure function of the
 * character counts (no dependence on reading order). A character is kept when it occurs at least
 * {@code minCount} times in the text the vocabulary is built from (the training split). Every other
 * character, and U+FFFD itself, maps to the unknown id.
 */
public final class CharVocabulary {
    /** Token id of the unknown token. */
    public static final int UNKNOWN_ID = 0;
    /** Code point that represents the unknown token in {@link #tokens()}. */
    public static final int UNKNOWN_CODE_POINT = 0xFFFD;

    private final int[] codePoints;
    private final Map<Integer, Integer> ids;

    private CharVocabulary(int[] codePoints) {
        this.codePoints = codePoints;
        this.ids = new HashMap<>(codePoints.length * 2);
        for (int id = 1; id < codePoints.length; id++) {
            ids.put(codePoints[id], id);
        }
    }

    /**
     * Builds the vocabulary of the characters of {@code text} that occur at least {@code minCount} times.
     *
     * @param minCount ≥ 1
     */
    public static CharVocabulary fromText(CharSequence text, int minCount) {
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount: expected ≥ 1 but got " + minCount);
        }
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        text.codePoints().forEach(cp -> counts.merge(cp, 1, Integer::sum));
        return fromCounts(counts, minCount);
    }

    /** Builds the vocabulary from several texts (e.g. the training words), counted together. */
    public static CharVocabulary fromTexts(Iterable<? extends CharSequence> texts, int minCount) {
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount: expected ≥ 1 but got " + minCount);
        }
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (CharSequence text : texts) {
            text.codePoints().forEach(cp -> counts.merge(cp, 1, Integer::sum));
        }
        return fromCounts(counts, minCount);
    }

    /**
     * Rebuilds a vocabulary from its token list (e.g. read back from a model file): entry 0 must be U+FFFD,
     * the others distinct single code points.
     */
    public static CharVocabulary fromTokens(List<String> tokens) {
        if (tokens == null || tokens.isEmpty()) {
            throw new IllegalArgumentException("tokens: expected a non-empty list starting with U+FFFD but got "
                    + tokens);
        }
        int[] cps = new int[tokens.size()];
        for (int i = 0; i < cps.length; i++) {
            String t = tokens.get(i);
            if (t == null || t.codePointCount(0, t.length()) != 1) {
                throw new IllegalArgumentException("tokens[" + i + "]: expected exactly one code point but got '"
                        + t + "'");
            }
            cps[i] = t.codePointAt(0);
        }
        if (cps[0] != UNKNOWN_CODE_POINT) {
            throw new IllegalArgumentException("tokens[0]: expected the unknown token U+FFFD but got '"
                    + tokens.get(0) + "'");
        }
        CharVocabulary v = new CharVocabulary(cps);
        if (v.ids.size() != cps.length - 1 || v.ids.containsKey(UNKNOWN_CODE_POINT)) {
            throw new IllegalArgumentException("tokens: expected distinct code points but got duplicates in "
                    + tokens);
        }
        return v;
    }

    private static CharVocabulary fromCounts(TreeMap<Integer, Integer> counts, int minCount) {
        List<Integer> kept = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            if (e.getValue() >= minCount && e.getKey() != UNKNOWN_CODE_POINT) {
                kept.add(e.getKey());
            }
        }
        int[] cps = new int[kept.size() + 1];
        cps[0] = UNKNOWN_CODE_POINT;
        for (int i = 0; i < kept.size(); i++) {
            cps[i + 1] = kept.get(i);
        }
        return new CharVocabulary(cps);
    }

    /** Number of tokens, the unknown token included. */
    public int size() {
        return codePoints.length;
    }

    /** Id of a code point, {@link #UNKNOWN_ID} when it is not in the vocabulary. */
    public int idOf(int codePoint) {
        Integer id = ids.get(codePoint);
        return id == null ? UNKNOWN_ID : id;
    }

    /** Code point of a token id (U+FFFD for the unknown id). */
    public int codePointOf(int id) {
        if (id < 0 || id >= codePoints.length) {
            throw new IllegalArgumentException("id: expected 0.." + (codePoints.length - 1) + " but got " + id);
        }
        return codePoints[id];
    }

    /** Whether the code point has its own id. */
    public boolean contains(int codePoint) {
        return ids.containsKey(codePoint);
    }

    /** Encodes text to token ids, one per code point. */
    public int[] encode(CharSequence text) {
        return text.codePoints().map(this::idOf).toArray();
    }

    /** Decodes token ids to text (unknown ids become U+FFFD). */
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder(ids.length);
        for (int id : ids) {
            sb.appendCodePoint(codePointOf(id));
        }
        return sb.toString();
    }

    /** The tokens as one-code-point strings, index = id: the value for {@code stepwise.vocabulary}. */
    public List<String> tokens() {
        List<String> tokens = new ArrayList<>(codePoints.length);
        for (int cp : codePoints) {
            tokens.add(new String(Character.toChars(cp)));
        }
        return Collections.unmodifiableList(tokens);
    }

    /** Counts how many of the ids are the unknown id. */
    public static int countUnknown(int[] ids) {
        int n = 0;
        for (int id : ids) {
            if (id == UNKNOWN_ID) {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "CharVocabulary[size=" + size() + "]";
    }
}
