package io.stepwise.training.tasks.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Generated multi-series files in long format (month, store, sales): stores of very different levels with a shared
 * yearly pattern, the rows of all stores interleaved as business exports have them.
 */
final class PanelFiles {
    private PanelFiles() {
    }

    /**
     * Writes {@code file}: store k has level {@code levels[k]}, {@code months[k]} months ending 2014-12 (so the stores
     * start at different dates), a yearly cycle of ±10% and 2% noise.
     */
    static Path stores(Path file, double[] levels, int[] months, long seed) throws IOException {
        Random random = new Random(seed);
        List<String> rows = new ArrayList<>();
        int longest = java.util.Arrays.stream(months).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            int index = 2015 * 12 - longest + i; // months since year 0, the last one 2014-12
            for (int k = 0; k < levels.length; k++) {
                if (i < longest - months[k]) {
                    continue;
                }
                double sales = levels[k] * (1 + 0.1 * Math.sin(2 * Math.PI * (index % 12) / 12.0)
                        + 0.02 * random.nextGaussian());
                rows.add(String.format(Locale.ROOT, "%04d-%02d,%s,%.3f", index / 12, index % 12 + 1,
                        (char) ('A' + k), sales));
            }
        }
        Files.writeString(file, "month,store,sales\n" + String.join("\n", rows) + "\n");
        return file;
    }
}
