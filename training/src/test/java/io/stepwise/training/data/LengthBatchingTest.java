package io.stepwise.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LengthBatchingTest {
    @Test
    void everyExampleOnceInBatchesOfOneLengthAndTheOrderFollowsTheSeed() {
        int[] lengths = new Random(3).ints(500, 3, 12).toArray();
        List<int[]> batches = LengthBatching.batches(lengths, 16, 7);
        int[] seen = new int[lengths.length];
        for (int[] batch : batches) {
            assertTrue(batch.length >= 1 && batch.length <= 16);
            for (int i : batch) {
                seen[i]++;
                assertEquals(lengths[batch[0]], lengths[i], "one length per batch");
            }
        }
        for (int count : seen) {
            assertEquals(1, count);
        }
        List<int[]> again = LengthBatching.batches(lengths, 16, 7);
        assertEquals(batches.size(), again.size());
        for (int b = 0; b < batches.size(); b++) {
            assertArrayEquals(batches.get(b), again.get(b));
        }
        assertTrue(!java.util.Arrays.equals(batches.get(0), LengthBatching.batches(lengths, 16, 8).get(0))
                || batches.size() == 1, "another seed, another order");
    }

    @Test
    void aBatchSizeBelowOneIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LengthBatching.batches(new int[] {1, 2}, 0, 1));
        assertTrue(e.getMessage().contains("batchSize") && e.getMessage().contains("0"), e.getMessage());
    }
}
