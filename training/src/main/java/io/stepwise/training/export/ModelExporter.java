package io.stepwise.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.stepwise.conversion.InputKind;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.runtime.BatchResult;
import io.stepwise.runtime.RecurrentModel;
import io.stepwise.training.io.AtomicFiles;
import io.stepwise.training.model.RecurrentNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;

/**
 * Exports a trained {@link RecurrentNet} to a Stepwise ONNX file and always proves that the file computes what the
 * network computes.
 *
 * <p>Steps: extract the weights ({@link WeightExtractor}), build the ONNX bytes with the caller's metadata, load
 * them into the runtime ({@link RecurrentModel}) and run both models on the same random inputs — every
 * combination of {@link Builder#optBatchSizes batch sizes} (default 1, 3) and
 * {@link Builder#optSequenceLengths sequence lengths} (default 1, 5, 17), each with random non-zero initial
 * states — comparing outputs and final states. If the largest absolute difference exceeds the tolerance
 * (default 1e-5) an {@link IllegalStateException} is thrown and nothing is written. Otherwise the figure is added
 * to the metadata ({@code stepwise.parity}), the model is rebuilt with it (the graph is unchanged; only
 * {@code metadata_props} differ) and written atomically: a temporary file in the target folder renamed over the
 * target.
 *
 * <pre>{@code
 * ModelExporter exporter = ModelExporter.builder().build();
 * ParityReport parity = exporter.write(net, ModelMetadata.builder().setTask(Task.CLASSIFIER)
 *         .optLabels(labels), Path.of("model.onnx"));
 * }</pre>
 */
public final class ModelExporter {
    /** Default largest accepted absolute difference between the DJL and the ONNX model. */
    public static final double DEFAULT_TOLERANCE = 1e-5;

    private final OnnxExporter onnxExporter;
    private final double tolerance;
    private final long seed;
    private final int[] batchSizes;
    private final int[] sequenceLengths;

    private ModelExporter(Builder b) {
        this.onnxExporter = b.onnxExporter;
        this.tolerance = b.tolerance;
        this.seed = b.seed;
        this.batchSizes = b.batchSizes.clone();
        this.sequenceLengths = b.sequenceLengths.clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    public double tolerance() {
        return tolerance;
    }

    /** The exported model bytes and the parity figure recorded in them. */
    public record Export(byte[] model, ParityReport parity) {
    }

    /**
     * Builds the model, proves parity and returns the final bytes (with {@code stepwise.parity}); writes nothing.
     * {@code metadata} receives the parity entry.
     *
     * @throws IllegalStateException    when parity fails; the message gives the figure and the worst case
     * @throws IllegalArgumentException when the metadata does not fit the network
     */
    public Export export(RecurrentNet net, ModelMetadata.Builder metadata) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(metadata, "metadata");
        NetworkSpec spec = net.spec();
        NetworkWeights weights = WeightExtractor.extract(net);
        byte[] provisional = onnxExporter.toBytes(spec, weights, metadata.build());
        ParityReport parity = check(net, provisional);
        metadata.optParity(parity.maxAbsDiff(), parity.tolerance(), parity.cases());
        byte[] model = onnxExporter.toBytes(spec, weights, metadata.build());
        return new Export(model, parity);
    }

    /**
     * {@link #export Exports}, proves parity, then writes {@code file} atomically.
     *
     * @return the parity figure, also stored in the file's metadata
     * @throws IllegalStateException when parity fails; {@code file} is then left as it was
     */
    public ParityReport write(RecurrentNet net, ModelMetadata.Builder metadata, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Export export = export(net, metadata);
        AtomicFiles.write(file, export.model());
        return export.parity();
    }

    /**
     * Runs {@code net} and the ONNX {@code model} on the same random inputs and states and measures the largest
     * absolute difference of outputs and final states.
     *
     * @throws IllegalStateException when it exceeds the tolerance, naming the worst case and tensor
     */
    public ParityReport check(RecurrentNet net, byte[] model) {
        Measurement m = run(net, model);
        if (!m.report().passed()) {
            throw new IllegalStateException("parity: the ONNX model differs from the DJL network by up to "
                    + m.report().maxAbsDiff() + " (tolerance " + tolerance + ") at " + m.worstCase()
                    + "; nothing was written");
        }
        return m.report();
    }

    /**
     * Like {@link #check} but returns the figure whatever it is, so that a caller re-checking existing files
     * ({@link ParityVerifier}) can report a failed figure instead of an exception.
     *
     * @throws IllegalStateException when the ONNX model cannot be run or its outputs do not have the DJL shapes
     */
    public ParityReport measure(RecurrentNet net, byte[] model) {
        return run(net, model).report();
    }

    private record Measurement(ParityReport report, String worstCase) {
    }

    private Measurement run(RecurrentNet net, byte[] model) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(model, "model");
        NetworkSpec spec = net.spec();
        Random random = new Random(seed);
        double worst = 0;
        String worstCase = "none";
        int cases = 0;
        try (RecurrentModel onnx = RecurrentModel.fromBytes(model);
             NDManager manager = NDManager.newBaseManager()) {
            ParameterStore store = new ParameterStore(manager, false);
            for (int batch : batchSizes) {
                for (int length : sequenceLengths) {
                    cases++;
                    int stateSize = spec.stateRows() * batch * spec.hiddenSize();
                    float[] h0 = randomValues(random, stateSize);
                    float[] c0 = spec.cell().hasCellState() ? randomValues(random, stateSize) : null;
                    BatchResult expected;
                    NDArray input;
                    if (spec.inputKind() == InputKind.TOKENS) {
                        long[][] tokens = new long[batch][length];
                        long[] flat = new long[batch * length];
                        for (int b = 0; b < batch; b++) {
                            for (int t = 0; t < length; t++) {
                                tokens[b][t] = random.nextInt(spec.inputSize());
                                flat[b * length + t] = tokens[b][t];
                            }
                        }
                        expected = onnx.forward(tokens, h0, c0);
                        input = manager.create(flat, new Shape(batch, length));
                    } else {
                        float[][][] features = new float[batch][length][spec.inputSize()];
                        float[] flat = new float[batch * length * spec.inputSize()];
                        int i = 0;
                        for (int b = 0; b < batch; b++) {
                            for (int t = 0; t < length; t++) {
                                for (int f = 0; f < spec.inputSize(); f++) {
                                    features[b][t][f] = (float) random.nextGaussian();
                                    flat[i++] = features[b][t][f];
                                }
                            }
                        }
                        expected = onnx.forward(features, h0, c0);
                        input = manager.create(flat, new Shape(batch, length, spec.inputSize()));
                    }
                    Shape stateShape = net.stateShape(batch);
                    NDList inputs = new NDList(input, manager.create(h0, stateShape));
                    if (c0 != null) {
                        inputs.add(manager.create(c0, stateShape));
                    }
                    NDList actual = net.forward(store, inputs, false);
                    String label = "batch " + batch + ", length " + length;
                    double[] diffs = {
                        maxAbsDiff(label + " output", actual.get(0).toFloatArray(), expected.output()),
                        maxAbsDiff(label + " hn", actual.get(1).toFloatArray(), expected.hn()),
                        c0 == null ? 0 : maxAbsDiff(label + " cn", actual.get(2).toFloatArray(), expected.cn()),
                    };
                    String[] names = {"output", "hn", "cn"};
                    for (int k = 0; k < diffs.length; k++) {
                        if (diffs[k] > worst || Double.isNaN(diffs[k])) {
                            worst = diffs[k];
                            worstCase = label + ", " + names[k];
                        }
                    }
                    actual.close();
                    inputs.close();
                }
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException("parity: could not run the exported model: " + e.getMessage(), e);
        }
        return new Measurement(new ParityReport(worst, tolerance, cases), worstCase);
    }

    private static float[] randomValues(Random random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            // Uniform in ±[0.1, 1]: non-zero, both signs, within the range states actually take.
            float magnitude = 0.1f + 0.9f * random.nextFloat();
            values[i] = random.nextBoolean() ? magnitude : -magnitude;
        }
        return values;
    }

    private static double maxAbsDiff(String what, float[] actual, float[] expected) {
        if (expected == null || actual.length != expected.length) {
            throw new IllegalStateException("parity: " + what + " has " + actual.length + " values in DJL but "
                    + (expected == null ? "none" : expected.length) + " in the ONNX model");
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    /** Builder; every setting is optional. */
    public static final class Builder {
        private OnnxExporter onnxExporter = OnnxExporter.builder().build();
        private double tolerance = DEFAULT_TOLERANCE;
        private long seed = 20240917L;
        private int[] batchSizes = {1, 3};
        private int[] sequenceLengths = {1, 5, 17};

        private Builder() {
        }

        /** The ONNX writer (opset, IR version); default {@code OnnxExporter.builder().build()}. */
        public Builder optOnnxExporter(OnnxExporter onnxExporter) {
            this.onnxExporter = Objects.requireNonNull(onnxExporter, "onnxExporter");
            return this;
        }

        /** Largest accepted absolute difference; default 1e-5. */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /** Seed of the random parity inputs. */
        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder optBatchSizes(int... batchSizes) {
            this.batchSizes = Objects.requireNonNull(batchSizes, "batchSizes").clone();
            return this;
        }

        public Builder optSequenceLengths(int... sequenceLengths) {
            this.sequenceLengths = Objects.requireNonNull(sequenceLengths, "sequenceLengths").clone();
            return this;
        }

        public ModelExporter build() {
            if (!(tolerance > 0) || Double.isInfinite(tolerance)) {
                throw new IllegalArgumentException("tolerance: expected a finite number > 0 but got " + tolerance);
            }
            checkSizes("batchSizes", batchSizes);
            checkSizes("sequenceLengths", sequenceLengths);
            return new ModelExporter(this);
        }

        private static void checkSizes(String name, int[] values) {
            if (values.length == 0) {
                throw new IllegalArgumentException(name + ": expected at least one value but got none");
            }
            for (int v : values) {
                if (v < 1) {
                    throw new IllegalArgumentException(name + ": expected values ≥ 1 but got " + Arrays.toString(values));
                }
            }
        }
    }
}
