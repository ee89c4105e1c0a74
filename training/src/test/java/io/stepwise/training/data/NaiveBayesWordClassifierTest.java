package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NaiveBayesWordClassifierTest {
    @Test
    void featuresIncludeWordBoundaries() {
        List<String> f = NaiveBayesWordClassifier.features("ab", 3);
        assertEquals(List.of("a", "b", "\u0002a", "ab", "b\u0003", "\u0002ab", "ab\u0003"), f);
    }

    @Test
    void learnsCharacterPatterns() {
        String[] words = {"aaa", "aab", "aba", "xxy", "xyx", "yxx"};
        int[] labels = {0, 0, 0, 1, 1, 1};
        NaiveBayesWordClassifier nb = NaiveBayesWordClassifier.train(words, labels, 2, 2);
        assertEquals(0, nb.predict("baaa"));
        assertEquals(1, nb.predict("yxyx"));
        assertEquals(0, nb.predict("qqq"), "nothing known: prior tie goes to the lower label");
    }

    @Test
    void classifiesShippedWords() {
        WordLanguageDataset data = WordLanguageDataset.builder().setFolder(TestData.dataDir().resolve("words"))
                .build();
        long start = System.nanoTime();
        NaiveBayesWordClassifier nb = NaiveBayesWordClassifier.train(data);
        int[] predicted = nb.predict(data.test().words());
        double seconds = (System.nanoTime() - start) / 1e9;
        ConfusionMatrix cm = ConfusionMatrix.of(data.labels(), data.test().labels(), predicted);
        int[] valPredicted = nb.predict(data.validation().words());
        System.out.printf("naive Bayes (1-3-grams, %d features): test accuracy %.4f, validation %.4f (%.2f s)%n%s",
                nb.featureCount(), cm.accuracy(), Metrics.accuracy(data.validation().labels(), valPredicted),
                seconds, cm.render());
        assertEquals(Metrics.accuracy(data.test().labels(), predicted), cm.accuracy(), 1e-12);
        assertTrue(cm.accuracy() > 0.6 && cm.accuracy() < 1, "accuracy " + cm.accuracy());
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class,
                () -> NaiveBayesWordClassifier.train(new String[] {"a"}, new int[] {2}, 2, 3));
        assertThrows(IllegalArgumentException.class,
                () -> NaiveBayesWordClassifier.train(new String[] {"a"}, new int[] {0, 1}, 2, 3));
        assertThrows(IllegalArgumentException.class,
                () -> NaiveBayesWordClassifier.train(new String[] {"a"}, new int[] {0}, 2, 0));
    }
}
