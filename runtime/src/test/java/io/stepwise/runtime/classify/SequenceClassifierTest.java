package io.stepwise.runtime.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.runtime.Logits;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.runtime.TinyModels;
import io.stepwise.runtime.text.CharTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequenceClassifierTest {
    private static final List<String> VOCABULARY = List.of("?", "a", "e", "i", "o", "u", "k", "s");
    private static final List<String> LABELS = List.of("vowelly", "consonanty", "neither");

    /** Logits: count of vowels, count of consonants, 1 + 0.1·length. */
    private static float[] logitsOf(long[] tokens) {
        float vowels = 0;
        float consonants = 0;
        for (long t : tokens) {
            if (t >= 1 && t <= 5) {
                vowels++;
            } else if (t >= 6) {
                consonants++;
            }
        }
        return new float[] {vowels, consonants, 1 + 0.1f * tokens.length};
    }

    private static SequenceClassifier classifier(List<Integer> batchSizes) {
        return new SequenceClassifier(CharTokenizer.of(VOCABULARY, 0), LABELS, tokens -> {
            batchSizes.add(tokens.length);
            float[][] out = new float[tokens.length][];
            for (int b = 0; b < tokens.length; b++) {
                out[b] = logitsOf(tokens[b]);
            }
            return out;
        });
    }

    @Test
    void probabilitiesAreTheSoftmaxOfTheLogitsAndSumToOne() {
        Classification c = classifier(new ArrayList<>()).classify("aeiks");
        double[] expected = Logits.softmax(new float[] {3, 2, 1.5f});
        assertEquals("vowelly", c.label());
        double sum = 0;
        for (Classification.LabelProbability p : c.ranking()) {
            assertEquals(expected[p.index()], p.probability(), 1e-12);
            assertEquals(LABELS.get(p.index()), p.label());
            sum += p.probability();
        }
        assertEquals(1, sum, 1e-12);
        assertEquals(List.of("vowelly", "consonanty", "neither"),
                c.ranking().stream().map(Classification.LabelProbability::label).toList());
        assertEquals(2, c.topK(2).size());
        assertEquals(expected[2], c.probability("neither"), 1e-12);
        assertEquals(expected[0], c.confidence(), 1e-12);
        assertEquals("aeiks", c.text());
    }

    @Test
    void batchGroupsEqualLengthsAndKeepsTheInputOrder() {
        List<Integer> batches = new ArrayList<>();
        List<String> words = List.of("kss", "a", "aei", "k", "sks", "uuuuu");
        List<Classification> all = classifier(batches).classifyAll(words);
        assertEquals(List.of(3, 2, 1), batches.stream().sorted((x, y) -> y - x).toList());
        List<Integer> single = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            Classification one = classifier(single).classify(words.get(i));
            assertEquals(words.get(i), all.get(i).text());
            assertEquals(one, all.get(i));
        }
        assertEquals(List.of("consonanty", "neither", "vowelly", "neither", "consonanty", "vowelly"),
                all.stream().map(Classification::label).toList());
    }

    @Test
    void largeGroupsAreSplitIntoBoundedBatches() {
        List<Integer> batches = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (int i = 0; i < SequenceClassifier.MAX_BATCH + 10; i++) {
            words.add(i % 2 == 0 ? "ak" : "ka");
        }
        assertEquals(words.size(), classifier(batches).classifyAll(words).size());
        assertEquals(List.of(SequenceClassifier.MAX_BATCH, 10), batches);
    }

    @Test
    void refusesEmptyTextsAndNamesTheEntry() {
        SequenceClassifier c = classifier(new ArrayList<>());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.classifyAll(List.of("ak", "")));
        assertTrue(e.getMessage().startsWith("texts: entry 1"), e.getMessage());
        SequenceClassifier strict = new SequenceClassifier(CharTokenizer.of(List.of("a", "b")),
                List.of("x", "y"), tokens -> new float[tokens.length][2]);
        e = assertThrows(IllegalArgumentException.class, () -> strict.classifyAll(List.of("ab", "abc")));
        assertTrue(e.getMessage().startsWith("texts: entry 1") && e.getMessage().contains("'c'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.classify("ak").topK(0));
        assertThrows(IllegalArgumentException.class, () -> c.classify("ak").probability("nope"));
    }

    @Test
    void endToEndProbabilitiesAreTheSoftmaxOfForward() {
        try (RecurrentModel model = TinyModels.classifier(3)) {
            SequenceClassifier classifier = new SequenceClassifier(model);
            assertEquals(List.of("en", "de", "fr"), classifier.labels());
            List<String> words = List.of("abc", "bad", "cafe", "head", "he", "zz", "fade", "a");
            List<Classification> all = classifier.classifyAll(words);
            CharTokenizer tokenizer = CharTokenizer.of(TinyModels.LETTERS, 8);
            for (int i = 0; i < words.size(); i++) {
                long[] ids = java.util.Arrays.stream(tokenizer.encode(words.get(i))).asLongStream().toArray();
                double[] expected = Logits.softmax(model.forward(new long[][] {ids}, null, null).outputAt(0));
                double sum = 0;
                for (Classification.LabelProbability p : all.get(i).ranking()) {
                    assertEquals(expected[p.index()], p.probability(), 1e-5);
                    sum += p.probability();
                }
                assertEquals(1, sum, 1e-9);
                assertEquals(all.get(i).label(), classifier.classify(words.get(i)).label());
            }
        }
    }

    @Test
    void refusesModelsForOtherTasks() {
        try (RecurrentModel lm = TinyModels.languageModel(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SequenceClassifier(lm));
            assertTrue(e.getMessage().contains("language_model"), e.getMessage());
        }
    }
}
