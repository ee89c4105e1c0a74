package io.stepwise.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sequence classification data of numeric feature vectors: one recording (a sensor trace, a session of measurements)
 * per sequence, one label per sequence.
 *
 * <p><b>File layout</b> (long format, one row per time step): a strict UTF-8 CSV whose header names a
 * {@value #SEQUENCE_COLUMN} column (the recording's id), a {@value #LABEL_COLUMN} column, and one column per feature
 * (every other column; at least one). The rows of one recording are contiguous and in time order; its label is the
 * same on every row. Cells are trimmed and may be quoted; feature cells are finite decimal numbers. Errors name the
 * file, line and column: a non-number, a label that changes inside a recording, a recording whose rows are not
 * contiguous, a recording longer than {@value #MAX_STEPS} steps, more than {@value #MAX_FEATURES} features.
 *
 * <pre>
 * sequence,label,ax,ay,az
 * walk-001,walking,0.12,-0.98,0.05
 * walk-001,walking,0.15,-0.95,0.07
 * run-007,running,0.80,-1.40,0.22
 * </pre>
 *
 * <p><b>Split</b>: stratified by label over recordings, deterministic with the seed (as
 * {@link WordLanguageDataset}). <b>Scaling</b>: each feature standardized with the mean and standard deviation of
 * the training steps (a constant feature gets standard deviation 1); the exported model records them.
 */
public final class FeatureSequenceDataset {
    /** Header of the recording id column. */
    public static final String SEQUENCE_COLUMN = "sequence";
    /** Header of the label column. */
    public static final String LABEL_COLUMN = "label";
    /** Most steps of one recording. */
    public static final int MAX_STEPS = 10_000;
    /** Most feature columns. */
    public static final int MAX_FEATURES = 1_000;

    /** The three parts of the data. */
    public enum Split { TRAIN, VALIDATION, TEST }

    /**
     * One split, index-aligned.
     *
     * @param ids    recording ids
     * @param steps  [recording][step][feature], standardized
     * @param labels label index of each recording
     */
    public record Examples(String[] ids, float[][][] steps, int[] labels) {
        public int size() {
            return ids.length;
        }
    }

    /**
     * Recordings of one length, ready to be one batch.
     *
     * @param steps  [batch][length][feature]
     * @param labels [batch]
     */
    public record LengthBatch(float[][][] steps, int[] labels) {
        public int size() {
            return labels.length;
        }
    }

    private final String source;
    private final List<String> labels;
    private final List<String> features;
    private final double[] mean;
    private final double[] std;
    private final Map<Split, Examples> splits;
    private final long seed;

    private FeatureSequenceDataset(String source, List<String> labels, List<String> features, double[] mean,
                                   double[] std, Map<Split, Examples> splits, long seed) {
        this.source = source;
        this.labels = labels;
        this.features = features;
        this.mean = mean;
        this.std = std;
        this.splits = splits;
        this.seed = seed;
    }

    /** Whether {@code file}'s header names a {@value #SEQUENCE_COLUMN} column (so it is this layout). */
    public static boolean hasSequenceColumn(Path file) {
        try (java.io.BufferedReader reader = java.nio.file.Files.newBufferedReader(file)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    return LabelledTextCsv.split(line.replace("\uFEFF", ""), file, 1).stream()
                            .anyMatch(c -> c.equalsIgnoreCase(SEQUENCE_COLUMN));
                }
            }
            return false;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads, splits and standardizes {@code file}.
     *
     * @throws IllegalArgumentException naming the file, line and column of the first problem
     */
    public static FeatureSequenceDataset read(Path file, long seed, double validationFraction, double testFraction) {
        Objects.requireNonNull(file, "file");
        List<String> lines = TextFiles.lines(TextFiles.readUtf8Strict(file));
        int header = 0;
        while (header < lines.size() && lines.get(header).isBlank()) {
            header++;
        }
        if (header == lines.size()) {
            throw new IllegalArgumentException(file + ": the file is empty; expected a header such as "
                    + "sequence,label,feature1,feature2");
        }
        List<String> names = LabelledTextCsv.split(lines.get(header), file, header + 1);
        int seqCol = -1;
        int labelCol = -1;
        List<Integer> featureCols = new ArrayList<>();
        for (int c = 0; c < names.size(); c++) {
            if (names.get(c).equalsIgnoreCase(SEQUENCE_COLUMN) && seqCol < 0) {
                seqCol = c;
            } else if (names.get(c).equalsIgnoreCase(LABEL_COLUMN) && labelCol < 0) {
                labelCol = c;
            } else {
                featureCols.add(c);
            }
        }
        if (seqCol < 0 || labelCol < 0 || featureCols.isEmpty()) {
            throw new IllegalArgumentException(file + ": line " + (header + 1) + ": expected a header with a '"
                    + SEQUENCE_COLUMN + "' column, a '" + LABEL_COLUMN + "' column and at least one feature column "
                    + "but got " + names);
        }
        if (featureCols.size() > MAX_FEATURES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: line %d: %,d feature columns; the "
                    + "limit is %,d", file, header + 1, featureCols.size(), MAX_FEATURES));
        }
        List<String> ids = new ArrayList<>();
        List<String> labelOf = new ArrayList<>();
        List<List<float[]>> recordings = new ArrayList<>();
        Set<String> finished = new HashSet<>();
        for (int i = header + 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            int line = i + 1;
            List<String> cells = LabelledTextCsv.split(lines.get(i), file, line);
            if (cells.size() != names.size()) {
                throw new IllegalArgumentException(file + ": line " + line + ": expected " + names.size()
                        + " columns but got " + cells.size());
            }
            String id = cells.get(seqCol);
            String label = cells.get(labelCol);
            if (id.isEmpty() || label.isEmpty()) {
                throw new IllegalArgumentException(file + ": line " + line + ", column '" + names.get(id.isEmpty()
                        ? seqCol : labelCol) + "': empty");
            }
            boolean continues = !ids.isEmpty() && ids.get(ids.size() - 1).equals(id);
            if (!continues) {
                if (!finished.add(id)) {
                    throw new IllegalArgumentException(file + ": line " + line + ", column '" + names.get(seqCol)
                            + "': recording '" + id + "' appears again after other recordings; its rows must be "
                            + "contiguous");
                }
                ids.add(id);
                labelOf.add(label);
                recordings.add(new ArrayList<>());
            } else if (!labelOf.get(labelOf.size() - 1).equals(label)) {
                throw new IllegalArgumentException(file + ": line " + line + ", column '" + names.get(labelCol)
                        + "': recording '" + id + "' changes its label from '" + labelOf.get(labelOf.size() - 1)
                        + "' to '" + label + "'");
            }
            List<float[]> steps = recordings.get(recordings.size() - 1);
            if (steps.size() == MAX_STEPS) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: line %d: recording '%s' is "
                        + "longer than %,d steps (the limit)", file, line, id, MAX_STEPS));
            }
            float[] v = new float[featureCols.size()];
            for (int f = 0; f < v.length; f++) {
                String cell = cells.get(featureCols.get(f));
                double x;
                try {
                    x = Double.parseDouble(cell);
                } catch (NumberFormatException e) {
                    x = Double.NaN;
                }
                if (!Double.isFinite(x) || cell.isEmpty()) {
                    throw new IllegalArgumentException(file + ": line " + line + ", column '"
                            + names.get(featureCols.get(f)) + "': expected a finite number but got '" + cell + "'");
                }
                v[f] = (float) x;
            }
            steps.add(v);
        }
        TreeMap<String, List<Integer>> byLabel = new TreeMap<>();
        for (int r = 0; r < ids.size(); r++) {
            byLabel.computeIfAbsent(labelOf.get(r), k -> new ArrayList<>()).add(r);
        }
        if (byLabel.size() < 2) {
            throw new IllegalArgumentException(file + ": expected recordings of at least 2 labels but found "
                    + byLabel.keySet());
        }
        List<String> labels = List.copyOf(byLabel.keySet());
        Random random = new Random(seed);
        List<List<Integer>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Map.Entry<String, List<Integer>> e : byLabel.entrySet()) {
            List<Integer> members = new ArrayList<>(e.getValue());
            Collections.shuffle(members, random);
            int n = members.size();
            int test = (int) Math.round(n * testFraction);
            int validation = (int) Math.round(n * validationFraction);
            if (n - test - validation < 1) {
                throw new IllegalArgumentException(file + ": label '" + e.getKey() + "' has " + n + " recording(s), "
                        + "too few for a train/validation/test split");
            }
            for (int i = 0; i < n; i++) {
                parts.get(i < test ? 2 : i < test + validation ? 1 : 0).add(members.get(i));
            }
        }
        for (List<Integer> part : parts) {
            Collections.shuffle(part, random);
        }
        int width = featureCols.size();
        double[] mean = new double[width];
        double[] sq = new double[width];
        long count = 0;
        for (int r : parts.get(0)) {
            for (float[] step : recordings.get(r)) {
                for (int f = 0; f < width; f++) {
                    mean[f] += step[f];
                    sq[f] += (double) step[f] * step[f];
                }
                count++;
            }
        }
        double[] std = new double[width];
        for (int f = 0; f < width; f++) {
            mean[f] /= count;
            double var = sq[f] / count - mean[f] * mean[f];
            std[f] = var > 1e-12 ? Math.sqrt(var) : 1.0;
        }
        Map<Split, Examples> splits = new EnumMap<>(Split.class);
        Split[] order = {Split.TRAIN, Split.VALIDATION, Split.TEST};
        for (int p = 0; p < 3; p++) {
            List<Integer> part = parts.get(p);
            String[] partIds = new String[part.size()];
            float[][][] steps = new float[part.size()][][];
            int[] partLabels = new int[part.size()];
            for (int i = 0; i < part.size(); i++) {
                int r = part.get(i);
                partIds[i] = ids.get(r);
                partLabels[i] = labels.indexOf(labelOf.get(r));
                List<float[]> rec = recordings.get(r);
                steps[i] = new float[rec.size()][width];
                for (int t = 0; t < rec.size(); t++) {
                    for (int f = 0; f < width; f++) {
                        steps[i][t][f] = (float) ((rec.get(t)[f] - mean[f]) / std[f]);
                    }
                }
            }
            splits.put(order[p], new Examples(partIds, steps, partLabels));
        }
        List<String> features = new ArrayList<>();
        featureCols.forEach(c -> features.add(names.get(c)));
        return new FeatureSequenceDataset(file.toString(), labels, List.copyOf(features), mean, std, splits, seed);
    }

    public List<String> labels() {
        return labels;
    }

    /** Feature column names, in model input order. */
    public List<String> features() {
        return features;
    }

    /** Mean of each feature over the training steps (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** Standard deviation of each feature over the training steps, 1 for a constant one (a copy). */
    public double[] std() {
        return std.clone();
    }

    public Examples split(Split split) {
        return splits.get(Objects.requireNonNull(split, "split"));
    }

    /** Batches of equal-length recordings of one split, in an order shuffled with {@code shuffleSeed}. */
    public List<LengthBatch> lengthBatches(Split split, int batchSize, long shuffleSeed) {
        Examples examples = split(split);
        int[] lengths = new int[examples.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = examples.steps()[i].length;
        }
        List<LengthBatch> batches = new ArrayList<>();
        for (int[] idx : LengthBatching.batches(lengths, batchSize, shuffleSeed)) {
            float[][][] steps = new float[idx.length][][];
            int[] labelIds = new int[idx.length];
            for (int j = 0; j < idx.length; j++) {
                steps[j] = examples.steps()[idx[j]];
                labelIds[j] = examples.labels()[idx[j]];
            }
            batches.add(new LengthBatch(steps, labelIds));
        }
        return batches;
    }

    /** A provenance summary for model metadata. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("labels", labels.size());
        m.put("features", features.size());
        m.put("train", split(Split.TRAIN).size());
        m.put("validation", split(Split.VALIDATION).size());
        m.put("test", split(Split.TEST).size());
        m.put("seed", seed);
        return m;
    }
}
