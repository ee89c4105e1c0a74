package io.stepwise.training.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * The batch order of datasets whose examples are batched by length (words, recordings), so that no padding is
 * needed: indices grouped by length (shortest first), each group shuffled with one {@code Random(shuffleSeed)} and
 * cut into batches of at most {@code batchSize}, then the list of batches shuffled with the same generator. Every
 * example appears in exactly one batch, and equal seeds give equal orders.
 */
final class LengthBatching {
    private LengthBatching() {
    }

    /** The example indices of each batch, in batch order; {@code lengths[i]} is the length of example i. */
    static List<int[]> batches(int[] lengths, int batchSize, long shuffleSeed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: expected ≥ 1 but got " + batchSize);
        }
        TreeMap<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int i = 0; i < lengths.length; i++) {
            byLength.computeIfAbsent(lengths[i], k -> new ArrayList<>()).add(i);
        }
        Random random = new Random(shuffleSeed);
        List<int[]> batches = new ArrayList<>();
        for (List<Integer> group : byLength.values()) {
            Collections.shuffle(group, random);
            for (int from = 0; from < group.size(); from += batchSize) {
                batches.add(group.subList(from, Math.min(group.size(), from + batchSize)).stream()
                        .mapToInt(Integer::intValue).toArray());
            }
        }
        Collections.shuffle(batches, random);
        return batches;
    }
}
