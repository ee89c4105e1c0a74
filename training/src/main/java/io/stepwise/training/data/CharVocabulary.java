package io.stepwise.training.data;

import io.stepwise.runtime.text.CharTokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>Encoding and decoding are the runtime's {@link CharTokenizer} (with unknown token 0), so a model sees the same
 * ids in training as in serving; this class adds what only training needs: building the vocabulary from counts.
 */
public final class CharVocabulary {
    /** Token id of the unknown token. */
    public static final int UNKNOWN_ID = 0;
    /** Code point that represents the unknown token in {@link #tokens()}. */
    public static final int UNKNOWN_CODE_POINT = 0xFFFD;

    private final int[] codePoints;
    private final CharTokenizer tokenizer;

    private CharVocabulary(int[] codePoints) {
        this.codePoints = codePoints;
        this.tokenizer = CharTokenizer.of(tokens(codePoints), UNKNOWN_ID);
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
        Set<Integer> distinct = new HashSet<>();
        for (int cp : cps) {
            if (!distinct.add(cp)) {
                throw new IllegalArgumentException("tokens: expected distinct code points but got duplicates in "
                        + tokens);
            }
        }
        return new CharVocabulary(cps);
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
        return tokenizer.idOf(codePoint);
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
        return codePoint != UNKNOWN_CODE_POINT && tokenizer.contains(codePoint);
    }

    /** Encodes text to token ids, one per code point. */
    public int[] encode(CharSequence text) {
        return tokenizer.encode(text.toString());
    }

    /** Decodes token ids to text (unknown ids become U+FFFD). */
    public String decode(int[] ids) {
        return tokenizer.decode(ids);
    }

    /** The runtime tokenizer that encodes and decodes with this vocabulary. */
    public CharTokenizer tokenizer() {
        return tokenizer;
    }

    /** The tokens as one-code-point strings, index = id: the value for {@code stepwise.vocabulary}. */
    public List<String> tokens() {
        return tokenizer.vocabulary();
    }

    private static List<String> tokens(int[] codePoints) {
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
