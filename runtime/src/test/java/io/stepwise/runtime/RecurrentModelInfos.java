package io.stepwise.runtime;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.OnnxExporter;

/** {@link ModelInfo}s of small token models, read through the runtime's own parser from the exporter's keys. */
final class RecurrentModelInfos {
    private RecurrentModelInfos() {
    }

    static ModelInfo parse(CellKind cell, int layers, int hidden) {
        NetworkSpec spec = RandomModels.tokenSpec(cell, layers, hidden, 4);
        return MetadataParser.fromStepwiseMetadata(OnnxExporter.structuralMetadata(spec));
    }
}
