package io.stepwise.runtime.text;

import io.stepwise.runtime.ModelInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Character-level encoding, as Stepwise's character models read text: every code point maps to the vocabulary
 * entry equal to it. Entries that are not a single code point (special tokens) are never produced by
 * {@link #encode} but are decoded as their string. A code point outside the vocabulary becomes the unknown token
 * when there is one, and is refused otherwise.
 *
 * <p>Used by {@link TextGenerator}, {@code SequenceClassifier} and training's character vocabulary, so that a model
 * sees the same ids in training and in serving. Immutable and thread-safe.
 */
public final class CharTokenizer {
    private final List<String> vocabulary;
    private final Map<Integer, Integer> idByCodePoint = new HashMap<>();
    private final int unknownToken;

    private CharTokenizer(List<String> vocabulary, int unknownToken) {
        Objects.requireNonNull(vocabulary, "vocabulary");
        if (vocabulary.isEmpty()) {
            throw new IllegalArgumentException("vocabulary: the model has no stepwise.vocabulary, so text cannot be"
                    + " turned into token ids");
        }
        this.vocabulary = List.copyOf(vocabulary);
        for (int id = 0; id < this.vocabulary.size(); id++) {
            String entry = this.vocabulary.get(id);
            if (entry.codePointCount(0, entry.length()) == 1) {
                idByCodePoint.putIfAbsent(entry.codePointAt(0), id);
            }
        }
        if (unknownToken >= this.vocabulary.size()) {
            throw new IllegalArgumentException("unknown_token: expected a token id below the vocabulary size "
                    + this.vocabulary.size() + " but got " + unknownToken);
        }
        this.unknownToken = unknownToken;
    }

    /**
     * A tokenizer without an unknown token: text with a character outside {@code vocabulary} is refused.
     *
     * @param vocabulary token strings, index = id; at least one
     * @throws IllegalArgumentException when the vocabulary is empty
     */
    public static CharTokenizer of(List<String> vocabulary) {
        return new CharTokenizer(vocabulary, -1);
    }

    /**
     * A tokenizer that maps characters outside {@code vocabulary} to {@code unknownToken}.
     *
     * @param unknownToken an id in [0, vocabulary size)
     * @throws IllegalArgumentException when the vocabulary is empty or the unknown token outside it
     */
    public static CharTokenizer of(List<String> vocabulary, int unknownToken) {
        if (unknownToken < 0) {
            throw new IllegalArgumentException("unknown_token: expected a token id ≥ 0 but got " + unknownToken);
        }
        return new CharTokenizer(vocabulary, unknownToken);
    }

    /**
     * The tokenizer of a model: its {@code stepwise.vocabulary} and {@code stepwise.unknown_token}.
     *
     * @throws IllegalArgumentException when the model has no vocabulary
     */
    public static CharTokenizer forModel(ModelInfo model) {
        Objects.requireNonNull(model, "model");
        OptionalInt unknown = model.unknownToken();
        return unknown.isPresent() ? of(model.vocabulary(), unknown.getAsInt()) : of(model.vocabulary());
    }

    /** Number of tokens. */
    public int size() {
        return vocabulary.size();
    }

    /** The token strings, index = id (unmodifiable). */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** The id that stands for characters outside the vocabulary, if any. */
    public OptionalInt unknownToken() {
        return unknownToken < 0 ? OptionalInt.empty() : OptionalInt.of(unknownToken);
    }

    /** Whether {@code codePoint} has its own entry in the vocabulary. */
    public boolean contains(int codePoint) {
        return idByCodePoint.containsKey(codePoint);
    }

    /**
     * The id of one code point: its own entry, else the unknown token.
     *
     * @throws IllegalArgumentException when the code point is not in the vocabulary and there is no unknown token
     */
    public int idOf(int codePoint) {
        Integer id = idByCodePoint.get(codePoint);
        if (id != null) {
            return id;
        }
        if (unknownToken < 0) {
            throw new IllegalArgumentException("codePoint: " + describe(codePoint)
                    + " is not in the model's vocabulary and the model has no unknown token");
        }
        return unknownToken;
    }

    /**
     * Token ids of {@code text}, one per code point.
     *
     * @throws IllegalArgumentException for a character outside the vocabulary when there is no unknown token; the
     *                                  message names the character and its index in {@code text}
     */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        int[] ids = new int[text.codePointCount(0, text.length())];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            Integer id = idByCodePoint.get(cp);
            if (id == null) {
                if (unknownToken < 0) {
                    throw new IllegalArgumentException("text: character " + describe(cp) + " at index " + i
                            + " is not in the model's vocabulary and the model has no unknown token");
                }
                id = unknownToken;
            }
            ids[n++] = id;
            i += Character.charCount(cp);
        }
        return ids;
    }

    /**
     * The string of one token.
     *
     * @throws IllegalArgumentException when {@code id} is outside [0, size)
     */
    public String token(int id) {
        checkId(id);
        return vocabulary.get(id);
    }

    /**
     * The text of {@code ids}: their strings concatenated.
     *
     * @throws IllegalArgumentException naming the first id outside [0, size)
     */
    public String decode(int... ids) {
        Objects.requireNonNull(ids, "ids");
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            checkId(id);
            sb.append(vocabulary.get(id));
        }
        return sb.toString();
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocabulary.size()) {
            throw new IllegalArgumentException("ids: token id " + id + " is outside the vocabulary 0.."
                    + (vocabulary.size() - 1));
        }
    }

    private static String describe(int codePoint) {
        return "'" + new String(Character.toChars(codePoint)) + "' (U+" + String.format(Locale.ROOT, "%04X", codePoint)
                + ")";
    }

    @Override
    public String toString() {
        return "CharTokenizer[" + vocabulary.size() + " tokens" + (unknownToken < 0 ? "" : ", unknown " + unknownToken)
                + "]";
    }
}
