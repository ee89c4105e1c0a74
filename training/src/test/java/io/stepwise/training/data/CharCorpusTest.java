package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CharCorpusTest {
    @TempDir
    Path tmp;

    @Test
    void splitsContiguouslyAndBuildsVocabularyFromTrainingOnly() {
        String text = "ab".repeat(45) + "abcabcabcz";  // 100 chars, 'c' and 'z' only in the last 10
        CharCorpus corpus = CharCorpus.builder().setText(text, "inline").optMinLength(10).optMinCount(1).build();
        assertEquals(90, corpus.trainLength());
        assertEquals(10, corpus.validationLength());
        assertEquals(3, corpus.vocabulary().size()); // unknown, a, b
        assertEquals(text.substring(0, 90), corpus.vocabulary().decode(corpus.trainIds()));
        assertEquals("ab\uFFFDab\uFFFDab\uFFFD\uFFFD", corpus.vocabulary().decode(corpus.validationIds()));
        assertEquals(4, corpus.validationUnknownCount());
        assertEquals(0, corpus.trainUnknownCount());
    }

    @Test
    void rareCharactersBecomeUnknownInTraining() {
        String text = "aaaaab".repeat(30);
        CharCorpus corpus = CharCorpus.builder().setText(text, "inline").optMinLength(10).optMinCount(40).build();
        assertEquals(2, corpus.vocabulary().size()); // 'a' 125 times in training, 'b' 25 times
        assertTrue(corpus.trainUnknownCount() > 0);
    }

    @Test
    void readsUtf8File() throws Exception {
        Path file = tmp.resolve("t.txt");
        Files.writeString(file, "\uFEFF" + "grüße ".repeat(300), StandardCharsets.UTF_8);
        CharCorpus corpus = CharCorpus.builder().setFile(file).build();
        assertEquals(1800, corpus.trainLength() + corpus.validationLength()); // BOM removed once
        assertTrue(corpus.vocabulary().contains('ü'));
        assertEquals(file.toString(), corpus.sourceName());
    }

    @Test
    void malformedUtf8NamesFileAndByteOffset() throws Exception {
        Path file = tmp.resolve("latin1.txt");
        byte[] bytes = "caf\u00e9 ".repeat(400).getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CharCorpus.builder().setFile(file).build());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("byte offset 3"),
                e.getMessage());
    }

    @Test
    void tooSmallCorpusNamesSizeAndMinimum() throws Exception {
        Path file = tmp.resolve("small.txt");
        Files.writeString(file, "tiny text");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CharCorpus.builder().setFile(file).build());
        assertTrue(e.getMessage().contains("9 characters found") && e.getMessage().contains("at least 1000"),
                e.getMessage());
        Path empty = tmp.resolve("empty.txt");
        Files.writeString(empty, "");
        e = assertThrows(IllegalArgumentException.class, () -> CharCorpus.builder().setFile(empty).build());
        assertTrue(e.getMessage().contains("0 characters found"), e.getMessage());
    }

    @Test
    void validatesSettings() {
        assertThrows(IllegalStateException.class, () -> CharCorpus.builder().build());
        assertThrows(IllegalStateException.class,
                () -> CharCorpus.builder().setText("x", "a").setEuroparlEnglish(10).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CharCorpus.builder().setText("x".repeat(2000), "a").optValidationFraction(0.7).build());
        assertTrue(e.getMessage().contains("validationFraction"), e.getMessage());
    }

    @Test
    void normalisesWhitespaceWhenAsked() {
        String text = "a  b\t\tc\n\n   \nd   e\n".repeat(100);
        CharCorpus corpus = CharCorpus.builder().setText(text, "inline").optNormaliseWhitespace(true)
                .optMinLength(10).build();
        String all = corpus.vocabulary().decode(corpus.trainIds()) + corpus.vocabulary().decode(corpus.validationIds());
        assertTrue(all.startsWith("a b c\nd e\na b c\n"), all.substring(0, 20));
    }

    @Test
    void loadsEuroparlEnglish() {
        long start = System.nanoTime();
        CharCorpus corpus = CharCorpus.builder().setEuroparlEnglish(EuroparlText.DEFAULT_MAX_CHARS).build();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s, %d unknown in validation, loaded in %.2f s%n", corpus, corpus.validationUnknownCount(),
                seconds);
        assertEquals("europarl-en", corpus.sourceName());
        assertTrue(corpus.vocabulary().size() > 60 && corpus.vocabulary().size() < 200, corpus.toString());
        assertEquals(0.1, corpus.validationLength() / (double) (corpus.trainLength() + corpus.validationLength()),
                1e-5);
        CharCorpus again = CharCorpus.builder().setEuroparlEnglish(EuroparlText.DEFAULT_MAX_CHARS).build();
        assertArrayEquals(corpus.validationIds(), again.validationIds());
        assertEquals(corpus.vocabulary().tokens(), again.vocabulary().tokens());
    }
}
