package io.stepwise.conversion;

import java.util.Arrays;
import java.util.Locale;

/**
 * The recurrent cell of a layer, with the names used in model metadata ({@link #id()}).
 *
 * <p>Gate counts follow PyTorch/DJL: a vanilla RNN has one gate block, a GRU three (r, z, n), an LSTM four
 * (i, f, g, o). Only the LSTM carries a cell state besides the hidden state.
 */
public enum CellKind {
    /** Elman RNN, h' = tanh(W x + b_W + R h + b_R). */
    RNN_TANH("rnn_tanh", 1),
    /** Elman RNN, h' = relu(W x + b_W + R h + b_R). */
    RNN_RELU("rnn_relu", 1),
    /** Long short-term memory. */
    LSTM("lstm", 4),
    /** Gated recurrent unit (PyTorch's variant: reset gate applied after the recurrent matmul). */
    GRU("gru", 3);

    private final String id;
    private final int gates;

    CellKind(String id, int gates) {
        this.id = id;
        this.gates = gates;
    }

    /** The name written to and read from model metadata, e.g. {@code "lstm"}. */
    public String id() {
        return id;
    }

    /** Number of stacked gate blocks in the weight matrices (rows = gates × hidden size). */
    public int gateCount() {
        return gates;
    }

    /** Whether the cell has a cell state {@code c} besides the hidden state {@code h}. */
    public boolean hasCellState() {
        return this == LSTM;
    }

    /**
     * Parses a metadata or command-line name ({@code rnn_tanh}, {@code rnn-relu}, {@code LSTM}, {@code rnn} = tanh).
     *
     * @throws IllegalArgumentException naming the value and the accepted names
     */
    public static CellKind fromId(String name) {
        if (name == null) {
            throw new IllegalArgumentException("cell: expected one of " + Arrays.toString(ids()) + " but got null");
        }
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (n.equals("rnn")) {
            return RNN_TANH;
        }
        for (CellKind k : values()) {
            if (k.id.equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException(
                "cell: expected one of " + Arrays.toString(ids()) + " but got '" + name + "'");
    }

    private static String[] ids() {
        return Arrays.stream(values()).map(CellKind::id).toArray(String[]::new);
    }
}
