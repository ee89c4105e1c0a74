package io.stepwise.training.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Sequences of named events (clickstreams, logs, token ids) for next-event language models.
 *
 * <p><b>File.</b> Strict UTF-8, one sequence per line, events separated by white space or commas; an event is any
 * other run of characters (a name such as {@code view_item}, or a number used as an id). Blank lines and lines
 * starting with {@code #} are skipped. A line of more than {@value #MAX_EVENTS_PER_LINE} events is an error naming
 * file and line.
 *
 * <p><b>Split.</b> Whole sequences: shuffled with {@code java.util.Random(seed)}, the first
 * {@code round(n · validationFraction)} (at least one) held out for validation, the rest for training, each part in
 * file order.
 *
 * <p><b>Vocabulary.</b> Id {@value #UNKNOWN_ID} {@value #UNKNOWN} (an event seen fewer than {@code minCount} times
 * in training, or never), id {@value #END_ID} {@value #END} (the end of a sequence: the model learns when sequences
 * stop, and a stream of sequences is their concatenation with this mark after each), then the training events by
 * descending count, ties by name.
 */
public final class EventSequences {
    /** Id of events outside the vocabulary. */
    public static final int UNKNOWN_ID = 0;
    /** Name of {@link #UNKNOWN_ID}. */
    public static final String UNKNOWN = "<unk>";
    /** Id of the end-of-sequence mark. */
    public static final int END_ID = 1;
    /** Name of {@link #END_ID}. */
    public static final String END = "</s>";
    /** Most events on one line. */
    public static final int MAX_EVENTS_PER_LINE = 10_000;

    private final String source;
    private final List<String> vocabulary;
    private final int[] trainIds;
    private final int[] validationIds;
    private final int trainSequences;
    private final int validationSequences;
    private final int validationUnknown;
    private final long seed;
    private final double validationFraction;
    private final int minCount;

    private EventSequences(String source, List<String> vocabulary, int[] trainIds, int[] validationIds,
                           int trainSequences, int validationSequences, int validationUnknown, long seed,
                           double validationFraction, int minCount) {
        this.source = source;
        this.vocabulary = vocabulary;
        this.trainIds = trainIds;
        this.validationIds = validationIds;
        this.trainSequences = trainSequences;
        this.validationSequences = validationSequences;
        this.validationUnknown = validationUnknown;
        this.seed = seed;
        this.validationFraction = validationFraction;
        this.minCount = minCount;
    }

    /**
     * Reads and splits {@code file}.
     *
     * @throws IllegalArgumentException naming the file (and line) when it is not valid UTF-8, a line is too long,
     *                                  or it holds fewer than two sequences or no event seen {@code minCount} times
     */
    public static EventSequences read(Path file, long seed, double validationFraction, int minCount) {
        Objects.requireNonNull(file, "file");
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validationFraction: expected a share in (0, 1) but got "
                    + validationFraction);
        }
        if (minCount < 1) {
            throw new IllegalArgumentException("minCount: expected ≥ 1 but got " + minCount);
        }
        List<String> lines = TextFiles.lines(TextFiles.readUtf8Strict(file));
        List<String[]> sequences = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] events = line.split("[\\s,]+");
            if (events.length > MAX_EVENTS_PER_LINE) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: line %d has %,d events; the limit "
                        + "is %,d per sequence (split long sessions)", file, i + 1, events.length, MAX_EVENTS_PER_LINE));
            }
            sequences.add(events);
        }
        if (sequences.size() < 2) {
            throw new IllegalArgumentException(file + ": expected at least 2 sequences (one per line) but found "
                    + sequences.size());
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        int held = Math.max(1, (int) Math.round(sequences.size() * validationFraction));
        boolean[] validation = new boolean[sequences.size()];
        for (int i = 0; i < held; i++) {
            validation[order.get(i)] = true;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (int s = 0; s < sequences.size(); s++) {
            if (!validation[s]) {
                for (String e : sequences.get(s)) {
                    counts.merge(e, 1, Integer::sum);
                }
            }
        }
        List<String> events = new ArrayList<>();
        counts.forEach((e, c) -> {
            if (c >= minCount && !e.equals(UNKNOWN) && !e.equals(END)) {
                events.add(e);
            }
        });
        if (events.isEmpty()) {
            throw new IllegalArgumentException(file + ": no event occurs " + minCount + " time(s) in the training "
                    + "sequences");
        }
        events.sort((a, b) -> counts.get(a).equals(counts.get(b)) ? a.compareTo(b) : counts.get(b) - counts.get(a));
        List<String> vocabulary = new ArrayList<>(List.of(UNKNOWN, END));
        vocabulary.addAll(events);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            ids.put(vocabulary.get(i), i);
        }
        IntList train = new IntList();
        IntList valid = new IntList();
        int unknown = 0;
        for (int s = 0; s < sequences.size(); s++) {
            IntList target = validation[s] ? valid : train;
            for (String e : sequences.get(s)) {
                int id = ids.getOrDefault(e, UNKNOWN_ID);
                if (validation[s] && id == UNKNOWN_ID) {
                    unknown++;
                }
                target.add(id);
            }
            target.add(END_ID);
        }
        return new EventSequences(file.toString(), List.copyOf(vocabulary), train.toArray(), valid.toArray(),
                sequences.size() - held, held, unknown, seed, validationFraction, minCount);
    }

    /** Event names, index = id: {@value #UNKNOWN}, {@value #END}, then the events. */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** The training sequences as one stream, each followed by {@value #END} (a copy). */
    public int[] trainIds() {
        return trainIds.clone();
    }

    /** The validation sequences as one stream, each followed by {@value #END} (a copy). */
    public int[] validationIds() {
        return validationIds.clone();
    }

    public String source() {
        return source;
    }

    public long seed() {
        return seed;
    }

    public double validationFraction() {
        return validationFraction;
    }

    public int minCount() {
        return minCount;
    }

    /** A provenance summary for model metadata. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("train_sequences", trainSequences);
        m.put("validation_sequences", validationSequences);
        m.put("train_events", trainIds.length - trainSequences);
        m.put("validation_events", validationIds.length - validationSequences);
        m.put("vocabulary_size", vocabulary.size());
        m.put("validation_unknown_events", validationUnknown);
        m.put("split_seed", seed);
        return m;
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] values = new int[1024];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
