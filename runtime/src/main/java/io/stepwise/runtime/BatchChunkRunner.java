package io.stepwise.runtime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.Buffer;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Set;

/**
 * The ONNX Runtime calls of one {@link BatchKernel} call, for one group of rows that share them: splits the steps
 * into chunks, gathers each chunk's inputs and state rows into a {@link BatchWorkspace}, runs it and scatters the new
 * states and outputs back into fresh {@link SessionState}s and output rows. The kernel checks the inputs, lends the
 * workspace and times the call; this class does the rest.
 */
final class BatchChunkRunner {
    private final RecurrentModel model;
    private final ModelInfo info;
    private final int rows;
    private final int hidden;
    private final int stateSize;
    private final int outputSize;

    /** Writes one step of one row into a call's input buffer. */
    @FunctionalInterface
    interface InputWriter {
        /** Writes row {@code b}'s step {@code t} at element {@code at} (times the feature width) of the input. */
        void write(Buffer input, int b, int t, int at);
    }

    BatchChunkRunner(RecurrentModel model) {
        this.model = model;
        this.info = model.info();
        this.rows = info.stateRows();
        this.hidden = info.hiddenSize();
        this.stateSize = rows * hidden;
        this.outputSize = info.outputSize();
    }

    /**
     * Runs one group of rows in chunks of at most {@link RunLimits#maxStepsPerRun()} stream-steps (rows × chunk
     * length), as {@code forward} does: a recurrent operator over the whole input is one graph node, which ONNX
     * Runtime's terminate flag cannot interrupt, so chunks bound how late a timeout takes effect (and the working
     * memory). Each chunk starts from the states the one before left in {@code next}; a row whose input ends inside
     * a chunk keeps its final state there ({@code sequence_lens}) and leaves the later chunks, which get longer as
     * the group thins out. Throws {@link RunCancelledException} between chunks once the call's control was stopped.
     */
    void run(BatchWorkspace ws, SessionState[] states, int[] lengths, int[] group, InputWriter writer,
             float[][][] outputs, SessionState[] next, RunLimits limits, Duration timeout, boolean[] writable)
            throws OrtException {
        int longest = 0;
        for (int i : group) {
            longest = Math.max(longest, lengths[i]);
        }
        RunControl control = ws.control;
        int[] active = group;
        int from = 0;
        while (true) {
            int to = (int) Math.min(longest, (long) from + Math.max(1, limits.maxStepsPerRun() / active.length));
            control.checkStopped(model.source(), timeout, null);
            try {
                // In place only when this chunk is the call's only run (see BatchKernel.run).
                runChunk(ws, from == 0 ? states : next, lengths, active, from, to, writer, outputs, next, limits,
                        from == 0 && to == longest ? writable : null);
            } catch (OrtException e) {
                control.checkStopped(model.source(), timeout, e);
                throw e;
            }
            if (to == longest) {
                return;
            }
            from = to;
            int left = 0;
            for (int i : active) {
                left += lengths[i] > from ? 1 : 0;
            }
            if (left < active.length) {
                int[] still = new int[left];
                int k = 0;
                for (int i : active) {
                    if (lengths[i] > from) {
                        still[k++] = i;
                    }
                }
                active = still;
            }
        }
    }

    /**
     * One call over steps {@code [from, to)} of the rows in {@code group} (fewer for rows that end sooner), each
     * from its state in {@code current}; the new states go to {@code next}, the outputs of these steps to
     * {@code outputs}.
     */
    private void runChunk(BatchWorkspace ws, SessionState[] current, int[] lengths, int[] group, int from, int to,
                          InputWriter writer, float[][][] outputs, SessionState[] next, RunLimits limits,
                          boolean[] writable) throws OrtException {
        int batch = group.length;
        int steps = 0;
        for (int i : group) {
            steps = Math.max(steps, Math.min(lengths[i], to) - from);
        }
        boolean batchFirst = model.batchFirst();
        boolean perStep = info.isPerStep();
        BatchWorkspace.Binding bound = ws.binding(batch, steps);
        try {
            // Gather.
            if (steps > 1) {
                bound.clearInput(); // padding of shorter rows
            }
            FloatBuffer h0 = bound.h0;
            FloatBuffer c0 = bound.c0;
            for (int b = 0; b < batch; b++) {
                int i = group[b];
                int length = Math.min(lengths[i], to) - from;
                for (int t = 0; t < length; t++) {
                    writer.write(bound.input, i, from + t, batchFirst ? b * steps + t : t * batch + b);
                }
                float[] h = current[i].hiddenArray();
                float[] c = current[i].cellArray();
                for (int r = 0; r < rows; r++) {
                    h0.put((r * batch + b) * hidden, h, r * hidden, hidden);
                    if (c0 != null) {
                        c0.put((r * batch + b) * hidden, c, r * hidden, hidden);
                    }
                }
                if (bound.lengths != null) {
                    bound.lengths.put(b, length);
                }
            }
            try (OrtSession.Result ignored = model.ortSession().run(bound.feeds, Set.of(), bound.pinned,
                    ws.control.options())) {
                // outputs were written into the pinned buffers
            }
            try {
                scatter(bound, current, lengths, group, from, to, outputs, next, limits.rejectNonFinite(), writable,
                        batchFirst, perStep);
            } catch (RuntimeException | Error e) { // also an OutOfMemoryError allocating an output row
                if (writable != null) {
                    restore(bound, current, group, writable);
                }
                throw e;
            }
        } finally {
            bound.release();
        }
    }

    /**
     * Copies the new states and outputs out of the workspace, checking each row as it goes (while it is in cache). A
     * row marked {@code writable} gets its new state in its old state's arrays, any other row new arrays; when a
     * check fails, the caller puts the old values back ({@link #restore}).
     */
    private void scatter(BatchWorkspace.Binding bound, SessionState[] current, int[] lengths, int[] group, int from,
                         int to, float[][][] outputs, SessionState[] next, boolean checked, boolean[] writable,
                         boolean batchFirst, boolean perStep) {
        int batch = bound.batch;
        int steps = bound.steps;
        FloatBuffer hn = bound.hn;
        FloatBuffer cn = bound.cn;
        FloatBuffer out = bound.out;
        for (int b = 0; b < batch; b++) {
            int i = group[b];
            int length = Math.min(lengths[i], to) - from;
            boolean inPlace = writable != null && writable[i];
            float[] h = inPlace ? current[i].hiddenArray() : new float[stateSize];
            float[] c = cn == null ? null : inPlace ? current[i].cellArray() : new float[stateSize];
            for (int r = 0; r < rows; r++) {
                hn.get((r * batch + b) * hidden, h, r * hidden, hidden);
                if (c != null) {
                    cn.get((r * batch + b) * hidden, c, r * hidden, hidden);
                }
            }
            if (checked) {
                requireFinite(h, i, "state");
                if (c != null) {
                    requireFinite(c, i, "cell state");
                }
            }
            // A state this model just produced, checked finite, needs no check when it is stepped next.
            SessionState was = current[i];
            next[i] = new SessionState(was.fingerprint(), was.architectureFingerprint(), was.position() + length, rows,
                    hidden, h, c, checked ? info : null);
            if (perStep) {
                if (from == 0) {
                    outputs[i] = new float[lengths[i]][];
                }
                for (int t = 0; t < length; t++) {
                    float[] row = new float[outputSize];
                    out.get((batchFirst ? b * steps + t : t * batch + b) * outputSize, row, 0, outputSize);
                    if (checked) {
                        requireFinite(row, i, "output");
                    }
                    outputs[i][from + t] = row;
                }
            } else if (lengths[i] <= to) { // the row's last chunk: its final output
                float[] row = new float[outputSize];
                out.get(b * outputSize, row, 0, outputSize);
                if (checked) {
                    requireFinite(row, i, "output");
                }
                outputs[i] = new float[][] {row};
            }
        }
    }

    /**
     * Undoes the in-place writes of a call that failed while scattering: the old state of every writable row is
     * still in the call's input buffers, where the gather put it (ONNX Runtime does not write its inputs).
     */
    private void restore(BatchWorkspace.Binding bound, SessionState[] current, int[] group, boolean[] writable) {
        int batch = bound.batch;
        for (int b = 0; b < batch; b++) {
            int i = group[b];
            if (!writable[i]) {
                continue;
            }
            for (int r = 0; r < rows; r++) {
                bound.h0.get((r * batch + b) * hidden, current[i].hiddenArray(), r * hidden, hidden);
                if (bound.c0 != null) {
                    bound.c0.get((r * batch + b) * hidden, current[i].cellArray(), r * hidden, hidden);
                }
            }
        }
    }

    /** Refuses a NaN or infinite value of row {@code i} (RunLimits.rejectNonFinite); nothing is kept. */
    private void requireFinite(float[] values, int i, String what) {
        if (StateChecks.allFinite(values)) {
            return;
        }
        for (int k = 0; k < values.length; k++) {
            if (!Float.isFinite(values[k])) {
                throw new NonFiniteOutputException(model.source() + ": sequence " + i + " produced " + values[k]
                        + " in its " + what + " (index " + k + "); the model's weights overflow on this input or are"
                        + " corrupt (RunLimits.rejectNonFinite)", 0);
            }
        }
    }
}
