package io.stepwise.training.data;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Windows for truncated back-propagation through time over one token stream.
 *
 * <p>The stream of {@code n} tokens gives {@code n − 1} (input, next-token target) pairs. They are cut into
 * {@code batch} contiguous parallel streams of {@code L = (n − 1) / batch} pairs each (the remainder at the
 * end is dropped): row {@code b} covers inputs {@code tokens[b·L .. b·L + L − 1]} and targets
 * {@code tokens[b·L + 1 .. b·L + L]}. Window {@code w} holds, for every row, the pairs at positions
 * {@code w·bptt .. min((w+1)·bptt, L) − 1} of that row, so the last window may be shorter than
 * {@code bptt}. Consecutive windows continue each row exactly where the previous one stopped: carry the
 * recurrent state of row {@code b} from window {@code w} into window {@code w + 1} (detached from the graph).
 *
 * <pre>{@code
 * BpttBatches batches = new BpttBatches(corpus.trainIds(), 32, 64);
 * for (BpttBatches.Window w : batches) {
 *     int[][] x = w.inputs();   // [32][w.length()]
 *     int[][] y = w.targets();  // [32][w.length()], y[b][t] = next token after x[b][t]
 * }
 * }</pre>
 */
public final class BpttBatches implements Iterable<BpttBatches.Window> {
    /**
     * One window.
     *
     * @param index   window number, from 0
     * @param inputs  [batch][length] token ids
     * @param targets [batch][length] the token following each input
     */
    public record Window(int index, int[][] inputs, int[][] targets) {
        /** Time steps in this window (≤ bptt). */
        public int length() {
            return inputs[0].length;
        }
    }

    private final int[] tokens;
    private final int batch;
    private final int bptt;
    private final int streamLength;

    /**
     * @param tokens the token stream (not copied; do not modify it while iterating)
     * @param batch  parallel streams, ≥ 1
     * @param bptt   time steps per window, ≥ 1
     * @throws IllegalArgumentException when the stream is too short to give every row at least one pair
     */
    public BpttBatches(int[] tokens, int batch, int bptt) {
        if (tokens == null) {
            throw new IllegalArgumentException("tokens: expected a token stream but got null");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch: expected ≥ 1 but got " + batch);
        }
        if (bptt < 1) {
            throw new IllegalArgumentException("bptt: expected ≥ 1 but got " + bptt);
        }
        if (tokens.length - 1 < batch) {
            throw new IllegalArgumentException("tokens: " + tokens.length + " tokens cannot feed batch " + batch
                    + ", expected at least " + (batch + 1));
        }
        this.tokens = tokens;
        this.batch = batch;
        this.bptt = bptt;
        this.streamLength = (tokens.length - 1) / batch;
    }

    public int batch() {
        return batch;
    }

    public int bptt() {
        return bptt;
    }

    /** Pairs per row (L). */
    public int streamLength() {
        return streamLength;
    }

    /** Number of windows: ceil(L / bptt). */
    public int windowCount() {
        return (streamLength + bptt - 1) / bptt;
    }

    /** Total (input, target) pairs over all windows: batch · L. */
    public long pairCount() {
        return (long) batch * streamLength;
    }

    /** Window {@code index}, 0 ≤ index < windowCount(). */
    public Window window(int index) {
        if (index < 0 || index >= windowCount()) {
            throw new IllegalArgumentException("index: expected 0.." + (windowCount() - 1) + " but got " + index);
        }
        int start = index * bptt;
        int length = Math.min(bptt, streamLength - start);
        int[][] inputs = new int[batch][length];
        int[][] targets = new int[batch][length];
        for (int b = 0; b < batch; b++) {
            int offset = b * streamLength + start;
            System.arraycopy(tokens, offset, inputs[b], 0, length);
            System.arraycopy(tokens, offset + 1, targets[b], 0, length);
        }
        return new Window(index, inputs, targets);
    }

    /** The windows in order 0, 1, ... (the order that lets state be carried). */
    @Override
    public Iterator<Window> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < windowCount();
            }

            @Override
            public Window next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("no window after " + (next - 1));
                }
                return window(next++);
            }
        };
    }
}
