package io.stepwise.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.stepwise.conversion.ExportedNetwork;
import io.stepwise.conversion.InputKind;
import io.stepwise.conversion.LayerWeights;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.NetworkWeights;
import io.stepwise.conversion.OnnxModelReader;
import io.stepwise.training.model.RecurrentNet;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Re-proves the parity of an existing Stepwise model file: the network and weights are read back from the file
 * ({@link OnnxModelReader}), loaded into a fresh DJL {@link RecurrentNet} (PyTorch kernels), and that network and
 * the file itself in ONNX Runtime are run on the same random inputs and non-zero states by
 * {@link ModelExporter#measure} — the same comparison that every export makes before writing.
 *
 * <p>Both sides start from the same file, so the figure does not prove the file holds the <em>trained</em>
 * weights (the recorded metric, re-measured by {@code verify}, does that); it proves that the ONNX graph still
 * computes what PyTorch's kernels compute with those weights, i.e. the layout and the operators are right.
 *
 * <pre>{@code
 * ParityReport parity = new ParityVerifier(ModelExporter.builder().build()).verify(Path.of("model.onnx"));
 * }</pre>
 */
public final class ParityVerifier {
    private final ModelExporter exporter;

    /** A verifier measuring with {@code exporter}'s tolerance, seed, batch sizes and sequence lengths. */
    public ParityVerifier(ModelExporter exporter) {
        this.exporter = Objects.requireNonNull(exporter, "exporter");
    }

    /** The tolerance a figure is judged against. */
    public double tolerance() {
        return exporter.tolerance();
    }

    /**
     * Measures the parity of the model file {@code file}; see {@link #verify(byte[])}.
     *
     * @throws IOException when the file cannot be read
     */
    public ParityReport verify(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] model = Files.readAllBytes(file);
        try {
            return verify(model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Measures the parity of a serialized model. A figure over the tolerance is returned, not thrown: check
     * {@link ParityReport#passed()}.
     *
     * @throws IllegalArgumentException when the bytes are not a Stepwise model (from {@link OnnxModelReader})
     * @throws IllegalStateException    when the model cannot be run
     */
    public ParityReport verify(byte[] model) {
        Objects.requireNonNull(model, "model");
        ExportedNetwork network = OnnxModelReader.read(model);
        try (NDManager manager = NDManager.newBaseManager()) {
            RecurrentNet net = rebuild(network.spec(), network.weights(), manager);
            return exporter.measure(net, model);
        }
    }

    /**
     * A new, initialised {@link RecurrentNet} for {@code spec} holding {@code weights}; its parameters live in
     * {@code manager}.
     *
     * @throws IllegalArgumentException when the weights do not fit the spec
     */
    public static RecurrentNet rebuild(NetworkSpec spec, NetworkWeights weights, NDManager manager) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(manager, "manager");
        weights.validate(spec);
        RecurrentNet net = RecurrentNet.builder().setSpec(spec).build();
        net.initialize(manager);
        loadWeights(net, weights);
        return net;
    }

    /**
     * Overwrites the parameters of the initialised {@code net} with {@code weights}: the inverse of
     * {@link WeightExtractor#extract}, with the same name-to-tensor mapping (PyTorch layout on both sides).
     * Each value is copied into the parameter's existing tensor, so references to the parameter stay valid.
     *
     * @throws IllegalStateException    when the network has not been initialised
     * @throws IllegalArgumentException when the weights do not fit the network's spec
     */
    public static void loadWeights(RecurrentNet net, NetworkWeights weights) {
        Objects.requireNonNull(net, "net");
        Objects.requireNonNull(weights, "weights");
        if (!net.isInitialized()) {
            throw new IllegalStateException("net: not initialised; call initialize(manager) first");
        }
        NetworkSpec spec = net.spec();
        weights.validate(spec);
        if (spec.inputKind() == InputKind.TOKENS) {
            copy(net.embeddingParameter(), weights.embedding());
        }
        for (int l = 0; l < spec.layers(); l++) {
            for (int d = 0; d < spec.directions(); d++) {
                List<Parameter> p = net.recurrentParameters(l, d);
                LayerWeights w = weights.layer(l, d);
                copy(p.get(0), w.inputWeights());
                copy(p.get(1), w.recurrentWeights());
                copy(p.get(2), w.inputBias());
                copy(p.get(3), w.recurrentBias());
            }
        }
        copy(net.headWeightParameter(), weights.headWeight());
        copy(net.headBiasParameter(), weights.headBias());
    }

    private static void copy(Parameter parameter, float[] values) {
        NDArray array = parameter.getArray();
        Shape shape = array.getShape();
        if (shape.size() != values.length) {
            throw new IllegalArgumentException(parameter.getName() + ": the network holds " + shape + " = "
                    + shape.size() + " values but the weights have " + values.length);
        }
        // set() copies into a buffer that the array itself keeps referenced, unlike decode/create + intern(),
        // whose Java buffer can be collected under the tensor (see train/ParameterFiles).
        array.set(FloatBuffer.wrap(values));
    }
}
