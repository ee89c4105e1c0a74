package io.stepwise.conversion;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A network read back from a Stepwise model file by {@link OnnxModelReader}: what {@link OnnxExporter} was given.
 *
 * @param spec     the network, from the structural {@code stepwise.*} metadata keys
 * @param weights  the weights in the PyTorch/DJL layout, from the graph's initializers
 * @param metadata every {@code metadata_props} entry of the file, in file order (unmodifiable)
 */
public record ExportedNetwork(NetworkSpec spec, NetworkWeights weights, Map<String, String> metadata) {
    public ExportedNetwork {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(weights, "weights");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
    }
}
