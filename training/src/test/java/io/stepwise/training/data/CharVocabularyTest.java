package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CharVocabularyTest {
    @Test
    void keepsFrequentCharactersInCodePointOrderAfterUnknown() {
        CharVocabulary v = CharVocabulary.fromText("cabbage\uD83D\uDE00\uD83D\uDE00", 2);
        // counts: a3 b2 g1 e1 c1 😀2
        assertEquals(List.of("\uFFFD", "a", "b", "\uD83D\uDE00"), v.tokens());
        assertEquals(4, v.size());
        assertEquals(CharVocabulary.UNKNOWN_ID, v.idOf('c'));
        assertEquals(1, v.idOf('a'));
        assertEquals(3, v.idOf(0x1F600));
        assertArrayEquals(new int[] {0, 1, 2, 2, 1, 0, 0, 3}, v.encode("cabbage\uD83D\uDE00"));
        assertEquals("\uFFFDabba\uFFFD", v.decode(v.encode("cabbae")));
    }

    @Test
    void replacementCharacterInTextMapsToUnknown() {
        CharVocabulary v = CharVocabulary.fromText("\uFFFD\uFFFDxx", 1);
        assertEquals(List.of("\uFFFD", "x"), v.tokens());
        assertFalse(v.contains(0xFFFD));
        assertTrue(v.contains('x'));
    }

    @Test
    void roundTripsThroughTokens() {
        CharVocabulary v = CharVocabulary.fromText("hello world", 1);
        CharVocabulary back = CharVocabulary.fromTokens(v.tokens());
        assertEquals(v.tokens(), back.tokens());
        assertArrayEquals(v.encode("low"), back.encode("low"));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> CharVocabulary.fromText("a", 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CharVocabulary.fromTokens(List.of("a", "b")));
        assertTrue(e.getMessage().contains("tokens[0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CharVocabulary.fromTokens(List.of("\uFFFD", "ab")));
        assertThrows(IllegalArgumentException.class, () -> CharVocabulary.fromTokens(List.of("\uFFFD", "a", "a")));
        assertThrows(IllegalArgumentException.class, () -> CharVocabulary.fromText("ab", 1).codePointOf(3));
    }
}
