package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordLanguageDatasetTest {
    @TempDir
    Path tmp;

    private static WordLanguageDataset shipped() {
        return WordLanguageDataset.builder().setFolder(TestData.dataDir().resolve("words")).build();
    }

    @Test
    void loadsShippedWordsWithStratifiedSplit() {
        long start = System.nanoTime();
        WordLanguageDataset data = shipped();
        System.out.printf("words: %s loaded in %.0f ms%n", data.describe(), (System.nanoTime() - start) / 1e6);
        assertEquals(List.of("catalan", "danish", "dutch", "english", "french", "german", "italian", "polish",
                "portuguese", "spanish", "swedish"), data.labels());
        assertEquals(0, data.ambiguousDropped());
        assertEquals(44_000, data.train().size());
        assertEquals(5_500, data.validation().size());
        assertEquals(5_500, data.test().size());
        int[] perClass = new int[11];
        for (int label : data.test().labels()) {
            perClass[label]++;
        }
        for (int c : perClass) {
            assertEquals(500, c);
        }
        Set<String> seen = new HashSet<>();
        for (WordLanguageDataset.Split split : WordLanguageDataset.Split.values()) {
            WordLanguageDataset.Examples ex = data.split(split);
            for (int i = 0; i < ex.size(); i++) {
                assertTrue(seen.add(ex.words()[i]), "each word in one split only");
                assertEquals(ex.words()[i].codePointCount(0, ex.words()[i].length()), ex.tokens()[i].length);
            }
        }
        WordLanguageDataset.Examples train = data.train();
        for (int i = 0; i < train.size(); i++) {
            assertEquals(train.words()[i], data.vocabulary().decode(train.tokens()[i]), "no unknown in training");
        }
    }

    @Test
    void splitIsDeterministicAndSeeded() {
        WordLanguageDataset a = shipped();
        WordLanguageDataset b = shipped();
        assertArrayEquals(a.test().words(), b.test().words());
        assertArrayEquals(a.train().labels(), b.train().labels());
        WordLanguageDataset c = WordLanguageDataset.builder().setFolder(TestData.dataDir().resolve("words"))
                .optSeed(7).build();
        assertTrue(!List.of(a.test().words()).equals(List.of(c.test().words())));
    }

    @Test
    void lengthBatchesHoldOneLengthAndCoverEveryExampleOnce() {
        WordLanguageDataset data = shipped();
        List<WordLanguageDataset.LengthBatch> batches = data.lengthBatches(WordLanguageDataset.Split.VALIDATION, 64,
                1);
        boolean[] covered = new boolean[data.validation().size()];
        for (WordLanguageDataset.LengthBatch batch : batches) {
            assertTrue(batch.size() <= 64 && batch.size() > 0);
            for (int j = 0; j < batch.size(); j++) {
                assertEquals(batch.length(), batch.tokens()[j].length);
                int i = batch.indices()[j];
                assertTrue(!covered[i]);
                covered[i] = true;
                assertEquals(data.validation().labels()[i], batch.labels()[j]);
            }
        }
        for (boolean c : covered) {
            assertTrue(c);
        }
        List<WordLanguageDataset.LengthBatch> again = data.lengthBatches(WordLanguageDataset.Split.VALIDATION, 64, 1);
        assertArrayEquals(batches.get(0).indices(), again.get(0).indices());
    }

    @Test
    void dropsAmbiguousWordsAndDuplicates() throws Exception {
        Files.writeString(tmp.resolve("aa.txt"), "one\ntwo\nboth\ntwo\n\n");
        Files.writeString(tmp.resolve("bb.txt"), "three\nboth\nfour\nfive\n");
        Files.writeString(tmp.resolve("notes.md"), "ignored");
        WordLanguageDataset data = WordLanguageDataset.builder().setFolder(tmp).optFractions(0, 0).build();
        assertEquals(List.of("aa", "bb"), data.labels());
        assertEquals(2, data.ambiguousDropped());
        assertEquals(Set.of("one", "two", "three", "four", "five"), Set.of(data.train().words()));
        assertEquals(0, data.test().size());
    }

    @Test
    void reportsBadInput() throws Exception {
        Files.writeString(tmp.resolve("aa.txt"), "one\ntwo words\n");
        Files.writeString(tmp.resolve("bb.txt"), "three\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WordLanguageDataset.builder().setFolder(tmp).build());
        assertTrue(e.getMessage().contains("aa.txt") && e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> WordLanguageDataset.builder().setFolder(tmp.resolve("missing")).build());
        assertThrows(IllegalStateException.class, () -> WordLanguageDataset.builder().build());
        assertThrows(IllegalArgumentException.class,
                () -> WordLanguageDataset.builder().setFolder(tmp).optFractions(0.5, 0.5).build());
    }
}
