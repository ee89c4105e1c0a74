package io.stepwise.runtime;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Character-level encoding shared by {@link TextGenerator} and {@link SequenceClassifier}: every code point of
 * the text maps to the vocabulary entry equal to it. Entries that are not a single code point (special tokens)
 * are never produced by {@link #encode} but are decoded as their string.
 */
final class CharTokenizer {
    private final List<String> vocabulary;
    private final Map<Integer, Integer> idByCodePoint = new HashMap<>();
    private final int unknownToken;

    CharTokenizer(List<String> vocabulary, OptionalInt unknownToken) {
        if (vocabulary == null || vocabulary.isEmpty()) {
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
        int unknown = unknownToken == null ? -1 : unknownToken.orElse(-1);
        if (unknown >= this.vocabulary.size()) {
            throw new IllegalArgumentException("unknown_token: expected a token id below the vocabulary size "
                    + this.vocabulary.size() + " but got " + unknown);
        }
        this.unknownToken = unknown;
    }

    int size() {
        return vocabulary.size();
    }

    List<String> vocabulary() {
        return vocabulary;
    }

    /**
     * Token ids of {@code text}, one per code point.
     *
     * @throws IllegalArgumentException for a character outside the vocabulary when the model has no unknown token;
     *                                  the message names the character and its index in {@code text}
     */
    int[] encode(String text) {
        int[] ids = new int[text.codePointCount(0, text.length())];
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            Integer id = idByCodePoint.get(cp);
            if (id == null) {
                if (unknownToken < 0) {
                    throw new IllegalArgumentException("text: character '" + new String(Character.toChars(cp))
                            + "' (U+" + String.format("%04X", cp) + ") at index " + i
                            + " is not in the model's vocabulary and the model has no unknown token");
                }
                id = unknownToken;
            }
            ids[n++] = id;
            i += Character.charCount(cp);
        }
        return ids;
    }

    String token(int id) {
        return vocabulary.get(id);
    }

    String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= vocabulary.size()) {
                throw new IllegalArgumentException("ids: token id " + id + " is outside the vocabulary 0.."
                        + (vocabulary.size() - 1));
            }
            sb.append(vocabulary.get(id));
        }
        return sb.toString();
    }
}
