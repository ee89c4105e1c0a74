package io.stepwise.runtime;

import io.stepwise.runtime.ModelFormat.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Binds a recurrent ONNX model that was not written by Stepwise (e.g. {@code torch.onnx.export} of an
 * {@code nn.LSTM} plus a {@code Linear}) by naming its graph inputs and outputs.
 *
 * <pre>{@code
 * ModelSignature signature = ModelSignature.builder()
 *         .input("tokens").output("logits")
 *         .state("h0", "hn").state("c0", "cn")   // LSTM: hidden then cell state; GRU/RNN: one pair
 *         .optVocabularySize(11)
 *         .build();
 * RecurrentModel model = RecurrentModel.load(path, signature);
 * }</pre>
 *
 * <p>The rest is read from the graph: hidden size from the state input's last dimension, state rows (layers ×
 * directions) from its first, input kind from the input's element type (int64/int32 → tokens, float →
 * features), feature count and output size from the last dimensions. State tensors must be shaped
 * {@code [rows, batch, hidden]} as PyTorch's are. Everything else (task, vocabulary) is taken from Stepwise
 * metadata when the file has some, else from the optional settings here.
 */
public final class ModelSignature {
    private final String input;
    private final String output;
    private final List<String> stateInputs;
    private final List<String> stateOutputs;
    private final boolean batchFirst;
    private final int vocabularySize;
    private final List<String> vocabulary;
    private final Task task;
    private final boolean bidirectional;

    private ModelSignature(Builder b) {
        this.input = b.input;
        this.output = b.output;
        this.stateInputs = List.copyOf(b.stateInputs);
        this.stateOutputs = List.copyOf(b.stateOutputs);
        this.batchFirst = b.batchFirst;
        this.vocabulary = b.vocabulary;
        this.vocabularySize = b.vocabulary != null ? b.vocabulary.size() : b.vocabularySize;
        this.task = b.task;
        this.bidirectional = b.bidirectional;
    }

    /** A builder; {@link Builder#input}, {@link Builder#output} and one or two {@link Builder#state} pairs are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Name of the graph input that takes the tokens or features. */
    public String input() {
        return input;
    }

    /** Name of the graph output with the head's values. */
    public String output() {
        return output;
    }

    /** State input names: the hidden state first, then the cell state (LSTM). */
    public List<String> stateInputs() {
        return stateInputs;
    }

    /** State output names, in the order of {@link #stateInputs()}. */
    public List<String> stateOutputs() {
        return stateOutputs;
    }

    /** Whether input and output are {@code [batch, sequence, ...]} (true, default) or {@code [sequence, batch, ...]}. */
    public boolean batchFirst() {
        return batchFirst;
    }

    /** The vocabulary size when given; token ids are then checked against it. */
    public OptionalInt vocabularySize() {
        return vocabularySize > 0 ? OptionalInt.of(vocabularySize) : OptionalInt.empty();
    }

    /** The vocabulary when given, else an empty list. */
    public List<String> vocabulary() {
        return vocabulary == null ? List.of() : vocabulary;
    }

    /** The task when given; else the file's metadata decides, or the task is {@link Task#UNKNOWN}. */
    public Optional<Task> task() {
        return Optional.ofNullable(task);
    }

    /** Whether the recurrent layers are bidirectional (state rows = 2 × layers). */
    public boolean bidirectional() {
        return bidirectional;
    }

    @Override
    public String toString() {
        return "ModelSignature[input=" + input + ", output=" + output + ", state=" + stateInputs + "->" + stateOutputs
                + ", batchFirst=" + batchFirst + (vocabularySize > 0 ? ", vocabularySize=" + vocabularySize : "")
                + (task != null ? ", task=" + task : "") + "]";
    }

    /** Builder: {@link #input}, {@link #output} and one or two {@link #state} pairs are required. */
    public static final class Builder {
        private String input;
        private String output;
        private final List<String> stateInputs = new ArrayList<>();
        private final List<String> stateOutputs = new ArrayList<>();
        private boolean batchFirst = true;
        private int vocabularySize;
        private List<String> vocabulary;
        private Task task;
        private boolean bidirectional;

        private Builder() {
        }

        /** The graph input that takes tokens ([batch, seq] int64/int32) or features ([batch, seq, F] float). */
        public Builder input(String name) {
            this.input = requireName(name, "input");
            return this;
        }

        /** The graph output with the head's values: [batch, seq, O] per step, or [batch, O] for a final-state head. */
        public Builder output(String name) {
            this.output = requireName(name, "output");
            return this;
        }

        /** A state input and the output that continues it; call once for h, then once more for c (LSTM). */
        public Builder state(String inputName, String outputName) {
            stateInputs.add(requireName(inputName, "state input"));
            stateOutputs.add(requireName(outputName, "state output"));
            return this;
        }

        /** False when input and output are sequence-first, as PyTorch's default {@code batch_first=False}. */
        public Builder optBatchFirst(boolean batchFirst) {
            this.batchFirst = batchFirst;
            return this;
        }

        /** Number of token ids the embedding accepts; ids outside [0, n) are then refused before they reach ORT. */
        public Builder optVocabularySize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("vocabularySize: expected a positive number but got " + n);
            }
            this.vocabularySize = n;
            return this;
        }

        /** The token strings, index = id; also sets the vocabulary size. */
        public Builder optVocabulary(List<String> vocabulary) {
            Objects.requireNonNull(vocabulary, "vocabulary");
            if (vocabulary.isEmpty()) {
                throw new IllegalArgumentException("vocabulary: expected at least one entry but got none");
            }
            this.vocabulary = List.copyOf(vocabulary);
            return this;
        }

        /**
         * What the model is for; decides which helper accepts it.
         *
         * @throws IllegalArgumentException for {@link Task#UNKNOWN}, which is what not setting it means
         */
        public Builder optTask(Task task) {
            Objects.requireNonNull(task, "task");
            if (!task.inFiles()) {
                throw new IllegalArgumentException("task: expected one of " + ModelFormat.wireNames(Task.values(),
                        Task::wireName, Task::inFiles) + " but got '" + task + "'");
            }
            this.task = task;
            return this;
        }

        /** Whether the layers run in both directions (state rows are then 2 × layers). */
        public Builder optBidirectional(boolean bidirectional) {
            this.bidirectional = bidirectional;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException when input, output or the state pairs are missing, names repeat, or the
         *                                  vocabulary size disagrees with the vocabulary
         */
        public ModelSignature build() {
            if (input == null) {
                throw new IllegalArgumentException("input: required but was not set");
            }
            if (output == null) {
                throw new IllegalArgumentException("output: required but was not set");
            }
            if (stateInputs.isEmpty() || stateInputs.size() > 2) {
                throw new IllegalArgumentException("state: expected one pair (h) or two pairs (h, c) but got "
                        + stateInputs.size());
            }
            if (vocabulary != null && vocabularySize > 0 && vocabularySize != vocabulary.size()) {
                throw new IllegalArgumentException("vocabularySize: " + vocabularySize
                        + " disagrees with the vocabulary's " + vocabulary.size() + " entries");
            }
            List<String> all = new ArrayList<>(List.of(input, output));
            all.addAll(stateInputs);
            all.addAll(stateOutputs);
            if (all.stream().distinct().count() != all.size()) {
                throw new IllegalArgumentException("names: every input and output name must differ but got " + all);
            }
            return new ModelSignature(this);
        }

        private static String requireName(String name, String what) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException(what + ": expected a graph value name but got '" + name + "'");
            }
            return name;
        }
    }
}
