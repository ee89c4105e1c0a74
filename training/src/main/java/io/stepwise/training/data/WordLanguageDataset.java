package io.stepwise.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Text → label classification data: word → language from a folder of {@code <language>.txt} files, or any short
 * texts (several words allowed) from a CSV file of {@code text,label} rows ({@link LabelledTextCsv}; labels are
 * sorted by name; the rules below for repeats, ambiguity, split and tokens are the same). {@link Builder#setFolder}
 * takes either.
 *
 * <p><b>Files.</b> Every {@code *.txt} file in the folder is one class; the label is the file name without
 * {@code .txt}; labels are sorted by name, so label index = position in {@link #labels()}. One word per line,
 * strict UTF-8, trimmed; blank lines are skipped; a line with inner white space is an error (file and line
 * named). A word repeated within one file is kept once. A word that appears in more than one file has no
 * single answer: it is dropped from all of them and counted in {@link #ambiguousDropped()}.
 *
 * <p><b>Split.</b> Stratified and deterministic: each class's words are shuffled with
 * {@code java.util.Random(seed)} (classes in label order, one generator, so the result depends only on the
 * files and the seed); the first {@code round(n · testFraction)} go to test, the next
 * {@code round(n · validationFraction)} to validation, the rest to training. Each split is then shuffled with
 * the same generator so classes interleave.
 *
 * <p><b>Tokens.</b> A {@link CharVocabulary} of the characters of the training words (count ≥ minCount,
 * default 1) plus the unknown id 0; every word is encoded with it, so characters unseen in training become
 * the unknown id. Words have different lengths; {@link #lengthBatches} groups words of one length into a batch
 * so no padding is needed.
 */
public final class WordLanguageDataset {
    /** The three parts of the data. */
    public enum Split { TRAIN, VALIDATION, TEST }

    /**
     * One split, index-aligned arrays.
     *
     * @param words  the words
     * @param tokens token ids of each word (length = code points of the word)
     * @param labels label index of each word
     */
    public record Examples(String[] words, int[][] tokens, int[] labels) {
        public int size() {
            return words.length;
        }
    }

    /**
     * Words of one length, ready to be one batch.
     *
     * @param length  characters per word
     * @param indices positions in the split's {@link Examples}
     * @param tokens  [batch][length]
     * @param labels  [batch]
     */
    public record LengthBatch(int length, int[] indices, int[][] tokens, int[] labels) {
        public int size() {
            return indices.length;
        }
    }

    private final Path folder;
    private final List<String> labels;
    private final CharVocabulary vocabulary;
    private final Map<Split, Examples> splits;
    private final int ambiguousDropped;
    private final long seed;

    private WordLanguageDataset(Path folder, List<String> labels, CharVocabulary vocabulary,
                                Map<Split, Examples> splits, int ambiguousDropped, long seed) {
        this.folder = folder;
        this.labels = labels;
        this.vocabulary = vocabulary;
        this.splits = splits;
        this.ambiguousDropped = ambiguousDropped;
        this.seed = seed;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Class labels; index = label id = classifier output position. */
    public List<String> labels() {
        return labels;
    }

    public CharVocabulary vocabulary() {
        return vocabulary;
    }

    /** The examples of one split (the arrays are shared: do not modify them). */
    public Examples split(Split split) {
        return splits.get(Objects.requireNonNull(split, "split"));
    }

    public Examples train() {
        return split(Split.TRAIN);
    }

    public Examples validation() {
        return split(Split.VALIDATION);
    }

    public Examples test() {
        return split(Split.TEST);
    }

    /** Words dropped because they appeared in more than one file. */
    public int ambiguousDropped() {
        return ambiguousDropped;
    }

    /**
     * Batches of equal-length words from one split: the split's indices are grouped by word length, each group
     * shuffled with {@code Random(shuffleSeed)} and cut into batches of at most {@code batchSize}; the list of
     * batches is then shuffled with the same generator. Pass e.g. {@code seed + epoch} for a new order per
     * epoch. Every example appears in exactly one batch.
     */
    public List<LengthBatch> lengthBatches(Split split, int batchSize, long shuffleSeed) {
        Examples examples = split(split);
        int[] lengths = new int[examples.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = examples.tokens()[i].length;
        }
        List<LengthBatch> batches = new ArrayList<>();
        for (int[] idx : LengthBatching.batches(lengths, batchSize, shuffleSeed)) {
            int[][] tokens = new int[idx.length][];
            int[] labelIds = new int[idx.length];
            for (int j = 0; j < idx.length; j++) {
                tokens[j] = examples.tokens()[idx[j]];
                labelIds[j] = examples.labels()[idx[j]];
            }
            batches.add(new LengthBatch(tokens[0].length, idx, tokens, labelIds));
        }
        return batches;
    }

    /** A provenance summary for model metadata. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", folder.toString());
        m.put("labels", labels.size());
        m.put("train", train().size());
        m.put("validation", validation().size());
        m.put("test", test().size());
        m.put("seed", seed);
        m.put("vocabulary_size", vocabulary.size());
        m.put("ambiguous_dropped", ambiguousDropped);
        return m;
    }

    /** Builds a {@link WordLanguageDataset}; {@link #setFolder} is required. */
    public static final class Builder {
        private Path folder;
        private double validationFraction = 0.1;
        private double testFraction = 0.1;
        private long seed = 42;
        private int minCount = 1;

        private Builder() {
        }

        /** Folder holding one {@code <language>.txt} per class, or a CSV file of {@code text,label} rows. */
        public Builder setFolder(Path folder) {
            this.folder = Objects.requireNonNull(folder, "folder");
            return this;
        }

        /** Shares of each class for validation and test; defaults 0.1 and 0.1 (80/10/10). */
        public Builder optFractions(double validationFraction, double testFraction) {
            this.validationFraction = validationFraction;
            this.testFraction = testFraction;
            return this;
        }

        /** Seed of the split; default 42. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Minimum count in training words for a character to get its own id; default 1. */
        public Builder optMinCount(int minCount) {
            this.minCount = minCount;
            return this;
        }

        /** One {@code <label>.txt} per label, one word per line; labels sorted by file name. */
        private void readFolder(List<String> labels, List<List<String>> wordsByLabel, List<String> origins) {
            if (!Files.isDirectory(folder)) {
                throw new IllegalArgumentException("folder: expected a directory of <language>.txt files or a CSV "
                        + "file of text,label rows but got " + folder);
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(folder)) {
                files = list.filter(p -> p.getFileName().toString().endsWith(".txt") && Files.isRegularFile(p))
                        .sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
            }
            if (files.size() < 2) {
                throw new IllegalArgumentException("folder: expected at least 2 <language>.txt files in " + folder
                        + " but found " + files.size());
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                labels.add(name.substring(0, name.length() - ".txt".length()));
                origins.add(file.toString());
                List<String> lines = TextFiles.lines(TextFiles.readUtf8Strict(file));
                java.util.LinkedHashSet<String> words = new java.util.LinkedHashSet<>();
                for (int i = 0; i < lines.size(); i++) {
                    String word = lines.get(i).strip();
                    if (word.isEmpty()) {
                        continue;
                    }
                    if (word.codePoints().anyMatch(Character::isWhitespace)) {
                        throw new IllegalArgumentException(file + ": line " + (i + 1)
                                + ": expected one word but got '" + word + "'");
                    }
                    words.add(word);
                }
                if (words.isEmpty()) {
                    throw new IllegalArgumentException(file + ": expected at least one word but the file has none");
                }
                wordsByLabel.add(new ArrayList<>(words));
            }
        }

        /** {@link LabelledTextCsv} rows; labels sorted by name, texts in file order, a repeated row kept once. */
        private void readCsv(List<String> labels, List<List<String>> textsByLabel, List<String> origins) {
            TreeMap<String, java.util.LinkedHashSet<String>> byLabel = new TreeMap<>();
            for (LabelledTextCsv.Row row : LabelledTextCsv.read(folder)) {
                byLabel.computeIfAbsent(row.label(), k -> new java.util.LinkedHashSet<>()).add(row.text());
            }
            if (byLabel.size() < 2) {
                throw new IllegalArgumentException(folder + ": expected at least 2 labels but found " + byLabel.size()
                        + " " + byLabel.keySet());
            }
            byLabel.forEach((label, texts) -> {
                labels.add(label);
                textsByLabel.add(new ArrayList<>(texts));
                origins.add(folder + " (label '" + label + "')");
            });
        }

        public WordLanguageDataset build() {
            if (folder == null) {
                throw new IllegalStateException("WordLanguageDataset: setFolder is required");
            }
            if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1)) {
                throw new IllegalArgumentException("fractions: expected validation ≥ 0, test ≥ 0 and a sum < 1 "
                        + "but got " + validationFraction + " and " + testFraction);
            }
            if (minCount < 1) {
                throw new IllegalArgumentException("minCount: expected ≥ 1 but got " + minCount);
            }
            List<String> labels = new ArrayList<>();
            List<List<String>> wordsByLabel = new ArrayList<>();
            List<String> origins = new ArrayList<>();
            Map<String, Integer> firstLabel = new HashMap<>();
            Map<String, Boolean> ambiguous = new HashMap<>();
            if (Files.isRegularFile(folder)) {
                readCsv(labels, wordsByLabel, origins);
            } else {
                readFolder(labels, wordsByLabel, origins);
            }
            for (int label = 0; label < labels.size(); label++) {
                for (String word : wordsByLabel.get(label)) {
                    Integer other = firstLabel.putIfAbsent(word, label);
                    if (other != null && other != label) {
                        ambiguous.put(word, true);
                    }
                }
            }
            int dropped = 0;
            for (List<String> words : wordsByLabel) {
                int before = words.size();
                words.removeIf(ambiguous::containsKey);
                dropped += before - words.size();
            }
            Random random = new Random(seed);
            List<List<Object[]>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int label = 0; label < labels.size(); label++) {
                List<String> words = wordsByLabel.get(label);
                if (words.isEmpty()) {
                    throw new IllegalArgumentException(origins.get(label) + ": every item also appears under "
                            + "another label, none is left for label '" + labels.get(label) + "'");
                }
                Collections.shuffle(words, random);
                int n = words.size();
                int test = (int) Math.round(n * testFraction);
                int validation = (int) Math.round(n * validationFraction);
                if (n - test - validation < 1) {
                    throw new IllegalArgumentException(origins.get(label) + ": " + n + " items leave none for "
                            + "training with fractions " + validationFraction + "/" + testFraction);
                }
                for (int i = 0; i < n; i++) {
                    int part = i < test ? 2 : i < test + validation ? 1 : 0;
                    parts.get(part).add(new Object[] {words.get(i), label});
                }
            }
            for (List<Object[]> part : parts) {
                Collections.shuffle(part, random);
            }
            List<String> trainWords = new ArrayList<>();
            for (Object[] e : parts.get(0)) {
                trainWords.add((String) e[0]);
            }
            CharVocabulary vocabulary = CharVocabulary.fromTexts(trainWords, minCount);
            Map<Split, Examples> splits = new java.util.EnumMap<>(Split.class);
            Split[] order = {Split.TRAIN, Split.VALIDATION, Split.TEST};
            for (int p = 0; p < 3; p++) {
                List<Object[]> part = parts.get(p);
                String[] words = new String[part.size()];
                int[][] tokens = new int[part.size()][];
                int[] labelIds = new int[part.size()];
                for (int i = 0; i < words.length; i++) {
                    words[i] = (String) part.get(i)[0];
                    tokens[i] = vocabulary.encode(words[i]);
                    labelIds[i] = (Integer) part.get(i)[1];
                }
                splits.put(order[p], new Examples(words, tokens, labelIds));
            }
            return new WordLanguageDataset(folder, List.copyOf(labels), vocabulary, splits, dropped, seed);
        }
    }
}
