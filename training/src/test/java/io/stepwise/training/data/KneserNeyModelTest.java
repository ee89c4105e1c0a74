package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KneserNeyModelTest {
    private static int[] random(int n, int k, long seed) {
        Random r = new Random(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(k);
        }
        return a;
    }

    @Test
    void distributionsSumToOne() {
        int[] train = random(5000, 6, 1);
        KneserNeyModel model = KneserNeyModel.train(train, 7, 4); // id 6 never seen
        int[][] histories = {{}, {0}, {1, 2}, {3, 4, 5}, {6, 6, 6}, {0, 1, 2, 3, 4}};
        for (int[] h : histories) {
            double sum = 0;
            for (int w = 0; w < 7; w++) {
                double p = model.probability(h, h.length, w);
                assertTrue(p > 0, "every token keeps some mass");
                sum += p;
            }
            assertEquals(1.0, sum, 1e-9, "history of length " + h.length);
        }
    }

    @Test
    void periodicTextIsAlmostFree() {
        int[] train = new int[3000];
        for (int i = 0; i < train.length; i++) {
            train[i] = i % 7;
        }
        KneserNeyModel model = KneserNeyModel.train(train, 7, 5);
        int[] valid = new int[700];
        for (int i = 0; i < valid.length; i++) {
            valid[i] = (i + 3) % 7;
        }
        double bpc = model.bitsPerToken(valid);
        assertTrue(bpc < 0.05, "bpc " + bpc);
    }

    @Test
    void uniformRandomCostsLog2K() {
        int k = 8;
        KneserNeyModel model = KneserNeyModel.train(random(200_000, k, 2), k, 3);
        double bpc = model.bitsPerToken(random(20_000, k, 3));
        assertEquals(3.0, bpc, 0.03, "bpc " + bpc);
        KneserNeyModel order5 = KneserNeyModel.train(random(200_000, k, 2), k, 5);
        double bpc5 = order5.bitsPerToken(random(20_000, k, 3));
        assertTrue(bpc5 > 3.0 && bpc5 < 3.15, "higher orders only fit noise: bpc " + bpc5);
    }

    @Test
    void europarlBaseline() {
        CharCorpus corpus = CharCorpus.builder().setEuroparlEnglish(EuroparlText.DEFAULT_MAX_CHARS).build();
        for (int order : new int[] {3, 5, 7}) {
            long start = System.nanoTime();
            KneserNeyModel model = KneserNeyModel.train(corpus.trainIds(), corpus.vocabulary().size(), order);
            double trained = (System.nanoTime() - start) / 1e9;
            double bpc = model.bitsPerToken(corpus.validationIds());
            double total = (System.nanoTime() - start) / 1e9;
            System.out.printf("Kneser-Ney order %d on %s: validation %.4f bpc (train %.2f s, train+eval %.2f s)%n",
                    order, corpus, bpc, trained, total);
            assertTrue(bpc > 1.2 && bpc < 3.5, "bpc " + bpc);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> KneserNeyModel.train(new int[] {0, 1, 2}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> KneserNeyModel.train(new int[] {0, 1}, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> KneserNeyModel.train(new int[100], 1 << 20, 5));
        KneserNeyModel m = KneserNeyModel.train(new int[] {0, 1, 0, 1}, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> m.probability(new int[] {0}, 1, 2));
    }
}
