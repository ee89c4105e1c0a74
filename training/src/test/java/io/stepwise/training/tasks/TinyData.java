package io.stepwise.training.tasks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Random;

/** Small data files for fast task and command-line tests. */
public final class TinyData {
    private TinyData() {
    }

    /** About 6,000 characters of pseudo-English made of a few words, so a tiny model learns something. */
    public static Path text(Path folder) throws IOException {
        String[] words = {"the", "house", "of", "parliament", "is", "open", "and", "we", "vote", "today", "on",
            "a", "report", "about", "fish"};
        Random random = new Random(7);
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 6000) {
            sb.append(words[random.nextInt(words.length)]).append(random.nextInt(8) == 0 ? ".\n" : " ");
        }
        Path file = folder.resolve("tiny.txt");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }

    /** 300 weekly rows of a trend plus a 12-step season with a little noise; rows 40, 41 and 250 are missing. */
    public static Path series(Path folder) throws IOException {
        Random random = new Random(11);
        StringBuilder sb = new StringBuilder("date,level\n");
        LocalDate day = LocalDate.of(2000, 1, 1);
        for (int t = 0; t < 300; t++) {
            double v = 10 + 0.02 * t + Math.sin(2 * Math.PI * t / 12) + 0.05 * random.nextGaussian();
            sb.append(day.plusWeeks(t)).append(',')
                    .append(t == 40 || t == 41 || t == 250 ? "" : String.format(Locale.ROOT, "%.4f", v)).append('\n');
        }
        Path file = folder.resolve("tiny.csv");
        Files.writeString(file, sb, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Forecast options that fit {@link #series}: window 24, horizon 6, season 12, 36 validation and test rows, no
     * settings search (one trial).
     */
    public static String[] seriesOptions() {
        return new String[] {"--window", "24", "--horizon", "6", "--season", "12", "--validation-length", "36",
            "--test-length", "36", "--trials", "1"};
    }

    /** Three "languages" of 80 made-up words each, told apart by their letters and endings. */
    public static Path words(Path folder) throws IOException {
        Path dir = Files.createDirectories(folder.resolve("words"));
        String[][] languages = {{"alpha", "aeiou", "ola"}, {"beta", "bdkrt", "ek"}, {"gamma", "msxyz", "ij"}};
        Random random = new Random(3);
        for (String[] language : languages) {
            StringBuilder sb = new StringBuilder();
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (seen.size() < 80) {
                StringBuilder w = new StringBuilder();
                int length = 2 + random.nextInt(4);
                for (int i = 0; i < length; i++) {
                    w.append(language[1].charAt(random.nextInt(language[1].length())));
                }
                w.append(language[2]);
                if (seen.add(w.toString())) {
                    sb.append(w).append('\n');
                }
            }
            Files.writeString(dir.resolve(language[0] + ".txt"), sb, StandardCharsets.UTF_8);
        }
        return dir;
    }
}
