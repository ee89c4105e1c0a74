package io.stepwise.conversion;

/**
 * A plain-Java, double-precision forward pass of a {@link NetworkSpec} network, written straight from PyTorch's
 * documented equations and weight layout (LSTM gates i,f,g,o; GRU r,z,n with the reset gate applied to
 * {@code W_hn h + b_hn}; RNN tanh/relu). It deliberately does not use {@link GateLayout}: it is the oracle the
 * exported ONNX graphs are compared against.
 */
final class ReferenceNetwork {
    /** Network output and final states; output is [batch][sequence][O] or [batch][1][O] for final_state heads. */
    record Result(double[][][] output, double[][][] hn, double[][][] cn) {
    }

    private final NetworkSpec spec;
    private final NetworkWeights weights;

    ReferenceNetwork(NetworkSpec spec, NetworkWeights weights) {
        weights.validate(spec);
        this.spec = spec;
        this.weights = weights;
    }

    Result runTokens(long[][] tokens, float[][][] h0, float[][][] c0) {
        int e = spec.embeddingSize();
        double[][][] x = new double[tokens.length][][];
        for (int b = 0; b < tokens.length; b++) {
            x[b] = new double[tokens[b].length][e];
            for (int t = 0; t < tokens[b].length; t++) {
                int id = Math.toIntExact(tokens[b][t]);
                for (int k = 0; k < e; k++) {
                    x[b][t][k] = weights.embedding()[id * e + k];
                }
            }
        }
        return run(x, h0, c0);
    }

    Result runFeatures(float[][][] features, float[][][] h0, float[][][] c0) {
        double[][][] x = new double[features.length][][];
        for (int b = 0; b < features.length; b++) {
            x[b] = new double[features[b].length][];
            for (int t = 0; t < features[b].length; t++) {
                x[b][t] = toDouble(features[b][t]);
            }
        }
        return run(x, h0, c0);
    }

    /** x: [batch][sequence][input]; h0, c0: [L·D][batch][H] (c0 only for LSTM). */
    private Result run(double[][][] x, float[][][] h0, float[][][] c0) {
        int batch = x.length;
        int steps = x[0].length;
        int h = spec.hiddenSize();
        int dirs = spec.directions();
        double[][][] hn = new double[spec.stateRows()][batch][];
        double[][][] cn = new double[spec.stateRows()][batch][];
        double[][][] layerIn = x;
        for (int l = 0; l < spec.layers(); l++) {
            double[][][] layerOut = new double[batch][steps][h * dirs];
            for (int d = 0; d < dirs; d++) {
                LayerWeights w = weights.layer(l, d);
                int row = l * dirs + d;
                for (int b = 0; b < batch; b++) {
                    double[] state = toDouble(h0[row][b]);
                    double[] cell = spec.cell().hasCellState() ? toDouble(c0[row][b]) : null;
                    for (int i = 0; i < steps; i++) {
                        int t = d == 0 ? i : steps - 1 - i;
                        double[] ih = affine(w.inputWeights(), w.inputBias(), layerIn[b][t]);
                        double[] hh = affine(w.recurrentWeights(), w.recurrentBias(), state);
                        double[] next = new double[h];
                        switch (spec.cell()) {
                            case RNN_TANH, RNN_RELU -> {
                                for (int k = 0; k < h; k++) {
                                    double a = ih[k] + hh[k];
                                    next[k] = spec.cell() == CellKind.RNN_TANH ? Math.tanh(a) : Math.max(0, a);
                                }
                            }
                            case LSTM -> {
                                double[] c = new double[h];
                                for (int k = 0; k < h; k++) {
                                    double in = sigmoid(ih[k] + hh[k]);
                                    double forget = sigmoid(ih[h + k] + hh[h + k]);
                                    double g = Math.tanh(ih[2 * h + k] + hh[2 * h + k]);
                                    double out = sigmoid(ih[3 * h + k] + hh[3 * h + k]);
                                    c[k] = forget * cell[k] + in * g;
                                    next[k] = out * Math.tanh(c[k]);
                                }
                                cell = c;
                            }
                            case GRU -> {
                                for (int k = 0; k < h; k++) {
                                    double r = sigmoid(ih[k] + hh[k]);
                                    double z = sigmoid(ih[h + k] + hh[h + k]);
                                    double n = Math.tanh(ih[2 * h + k] + r * hh[2 * h + k]);
                                    next[k] = (1 - z) * n + z * state[k];
                                }
                            }
                        }
                        state = next;
                        System.arraycopy(state, 0, layerOut[b][t], d * h, h);
                    }
                    hn[row][b] = state;
                    cn[row][b] = cell;
                }
            }
            layerIn = layerOut;
        }
        double[][][] output;
        if (spec.head() == HeadKind.PER_STEP) {
            output = new double[batch][steps][];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    output[b][t] = affine(weights.headWeight(), weights.headBias(), layerIn[b][t]);
                }
            }
        } else {
            output = new double[batch][1][];
            int top = (spec.layers() - 1) * dirs;
            for (int b = 0; b < batch; b++) {
                double[] finalStates = new double[h * dirs];
                for (int d = 0; d < dirs; d++) {
                    System.arraycopy(hn[top + d][b], 0, finalStates, d * h, h);
                }
                output[b][0] = affine(weights.headWeight(), weights.headBias(), finalStates);
            }
        }
        return new Result(output, hn, spec.cell().hasCellState() ? cn : null);
    }

    /** m · v + bias for a row-major m [bias.length, v.length]. */
    private static double[] affine(float[] m, float[] bias, double[] v) {
        double[] out = new double[bias.length];
        for (int r = 0; r < bias.length; r++) {
            double s = bias[r];
            for (int c = 0; c < v.length; c++) {
                s += m[r * v.length + c] * v[c];
            }
            out[r] = s;
        }
        return out;
    }

    private static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
