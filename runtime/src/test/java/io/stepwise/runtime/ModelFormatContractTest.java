package io.stepwise.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stepwise.conversion.CellKind;
import io.stepwise.conversion.HeadKind;
import io.stepwise.conversion.InputKind;
import io.stepwise.conversion.MetadataKeys;
import io.stepwise.conversion.ModelMetadata;
import io.stepwise.conversion.NetworkSpec;
import io.stepwise.conversion.OnnxExporter;
import io.stepwise.conversion.Task;
import io.stepwise.conversion.TokenUnit;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model-file contract, held together across its two copies: conversion writes ({@link MetadataKeys} and its
 * enums), the runtime reads ({@link ModelFormat}). The runtime may not depend on conversion at run time, so this
 * test is what keeps the copies equal: every key is written through the real exporter and read back through the
 * real loader, and the key sets, enum wire names and format version are compared.
 */
class ModelFormatContractTest {
    @TempDir
    Path dir;

    @Test
    void formatVersionsAgree() {
        assertEquals(MetadataKeys.FORMAT_VERSION, ModelFormat.VERSION);
        assertEquals(OnnxExporter.FORMAT_VERSION, ModelFormat.VERSION);
        assertEquals(MetadataKeys.OLDEST_FORMAT_VERSION, ModelFormat.OLDEST_VERSION);
        assertEquals(OnnxExporter.SEQUENCE_LENS, ModelFormat.SEQUENCE_LENGTHS_INPUT);
        assertEquals(MetadataKeys.PREFIX, ModelFormat.KEY_PREFIX);
    }

    @Test
    void keySetsAgree() {
        assertEquals(MetadataKeys.STRUCTURAL, ModelFormat.STRUCTURAL_KEYS);
        assertEquals(MetadataKeys.TASK_LEVEL, ModelFormat.TASK_LEVEL_KEYS);
        // Everything the exporter derives from any network is a structural key of the runtime.
        for (CellKind cell : CellKind.values()) {
            for (boolean tokens : new boolean[] {true, false}) {
                NetworkSpec spec = tokens ? RandomModels.tokenSpec(cell, 1, 2, 3)
                        : RandomModels.featureSpec(cell, 1, 2, 3, 3);
                Set<String> written = OnnxExporter.structuralMetadata(spec).keySet();
                assertTrue(ModelFormat.STRUCTURAL_KEYS.containsAll(written), cell + " " + written);
            }
        }
    }

    @Test
    void enumWireNamesAgree() {
        assertEquals(ids(Task.values(), Task::id), wireNames(ModelFormat.Task.values(), ModelFormat.Task::wireName,
                ModelFormat.Task::inFiles));
        assertEquals(ids(CellKind.values(), CellKind::id), wireNames(ModelFormat.Cell.values(),
                ModelFormat.Cell::wireName, ModelFormat.Cell::inFiles));
        assertEquals(ids(InputKind.values(), InputKind::id), wireNames(ModelFormat.InputKind.values(),
                ModelFormat.InputKind::wireName, k -> true));
        assertEquals(ids(HeadKind.values(), HeadKind::id), wireNames(ModelFormat.Head.values(),
                ModelFormat.Head::wireName, h -> true));
        assertEquals(ids(io.stepwise.conversion.Frequency.values(), io.stepwise.conversion.Frequency::id),
                wireNames(io.stepwise.runtime.forecast.Frequency.values(),
                        io.stepwise.runtime.forecast.Frequency::wireName, f -> true));
        assertEquals(ids(io.stepwise.conversion.Frequency.values(), io.stepwise.conversion.Frequency::id),
                MetadataParser.FREQUENCIES.stream().sorted().toList());
        assertEquals(ids(TokenUnit.values(), TokenUnit::id), wireNames(ModelFormat.TokenUnit.values(),
                ModelFormat.TokenUnit::wireName, u -> true));
        for (Task t : Task.values()) {
            assertEquals(t.id(), ModelFormat.Task.fromWireName(t.id()).orElseThrow().wireName());
        }
        for (CellKind c : CellKind.values()) {
            ModelFormat.Cell read = ModelFormat.Cell.fromWireName(c.id()).orElseThrow();
            assertEquals(c.id(), read.wireName());
            assertEquals(c.hasCellState(), read.hasCellState(), c.id());
        }
    }

    @Test
    void everyKeyWrittenByTheExporterIsReadBackByTheRuntime() {
        List<String> vocabulary = RandomModels.letters(4);
        NetworkSpec spec = NetworkSpec.builder().setCell(CellKind.LSTM).optLayers(2).setHiddenSize(3)
                .setTokenInput(4, 2).setOutputSize(4).build();
        ModelMetadata metadata = ModelMetadata.builder().setTask(Task.LANGUAGE_MODEL)
                .optVocabulary(vocabulary).optUnknownToken(3)
                .optLabels(List.of("l0", "l1", "l2", "l3"))
                .optFeatureNames(List.of("f0", "f1", "f2", "f3")).optTargetNames(List.of("t0", "t1", "t2", "t3"))
                .optScaling(new double[] {1, 2, 3, 4}, new double[] {0.5, 1, 1.5, 2})
                .optForecast(Map.of("horizon", 7))
                .optFrequency(io.stepwise.conversion.Frequency.QUARTERLY)
                .optIntervals("validation_residual_quantiles", new double[] {0.8},
                        new double[][][] {{{-1, -2, -3, -4}}}, new double[][][] {{{1, 2, 3, 4}}},
                        Map.of("quantile", "split_conformal", "validation_errors_per_step", List.of(13)))
                .optSeries("store", List.of("a", "b"), new double[][] {{1, 2, 3, 4}, {5, 6, 7, 8}},
                        new double[][] {{1, 1, 1, 1}, {2, 2, 2, 2}})
                .optTraining(Map.of("seed", 42))
                .optMetrics(Map.of("val_bpc", 1.5))
                .optParity(2e-7, 1e-5, 6)
                .optTokenUnit(TokenUnit.EVENT)
                .optBaseline(Map.of("metric", "val_bpc", "value", 1.5, "baseline", "Kneser-Ney 5-gram",
                        "baseline_value", 1.75, "outcome", "beats", "verdict", "beats its baseline"))
                .optProperty("evaluation", "{\"data\":\"corpus.txt\"}")
                .build();
        Path file = RandomModels.write(dir, "every-key.onnx", spec, 1, metadata);
        try (RecurrentModel model = RecurrentModel.load(file)) {
            ModelInfo info = model.info();
            Set<String> written = new HashSet<>(info.metadata().keySet());
            Set<String> known = new HashSet<>(ModelFormat.STRUCTURAL_KEYS);
            known.addAll(ModelFormat.TASK_LEVEL_KEYS);
            assertTrue(written.containsAll(known), "the model should carry every key of the format: " + written);
            written.removeAll(known);
            assertEquals(Set.of("stepwise.evaluation", ModelFormat.WEIGHTS_SHA256), written,
                    "only the free-form key and the weights checksum are outside the format's key lists");
            assertEquals(io.stepwise.conversion.MetadataKeys.WEIGHTS_SHA256, ModelFormat.WEIGHTS_SHA256);
            assertEquals(info.metadata().get(ModelFormat.WEIGHTS_SHA256), info.weightsDigest(),
                    "the runtime's digest of the weights is the exporter's checksum");
            assertTrue(info.weightsVerified());

            assertEquals(ModelFormat.VERSION, info.formatVersion());
            assertEquals(ModelFormat.Cell.LSTM, info.cell());
            assertEquals(2, info.layers());
            assertEquals(3, info.hiddenSize());
            assertEquals(false, info.bidirectional());
            assertEquals(ModelFormat.InputKind.TOKENS, info.inputKind());
            assertEquals(4, info.inputSize());
            assertEquals(2, info.embeddingSize());
            assertEquals(ModelFormat.Head.PER_STEP, info.head());
            assertEquals(4, info.outputSize());
            assertEquals("tokens", info.inputName());
            assertEquals(OnnxExporter.OUTPUT, info.outputName());
            assertEquals(List.of(OnnxExporter.H0, OnnxExporter.C0), info.stateInputs());
            assertEquals(List.of(OnnxExporter.HN, OnnxExporter.CN), info.stateOutputs());
            assertEquals(ModelFormat.Task.LANGUAGE_MODEL, info.task());
            assertEquals(vocabulary, info.vocabulary());
            assertEquals(3, info.unknownToken().getAsInt());
            assertEquals(List.of("l0", "l1", "l2", "l3"), info.labels());
            assertEquals(List.of("f0", "f1", "f2", "f3"), info.featureNames());
            assertEquals(List.of("t0", "t1", "t2", "t3"), info.targetNames());
            assertArrayEquals(new double[] {1, 2, 3, 4}, info.scaling().orElseThrow().mean());
            assertArrayEquals(new double[] {0.5, 1, 1.5, 2}, info.scaling().orElseThrow().std());
            assertEquals(7L, info.forecast().get("horizon"));
            assertEquals("quarterly", info.frequency().orElseThrow());
            assertEquals("validation_residual_quantiles", info.intervals().get("method"));
            assertEquals(List.of(0.8), info.intervals().get("levels"));
            assertEquals(List.of(List.of(List.of(-1L, -2L, -3L, -4L))), info.intervals().get("lower"));
            assertEquals(Map.of("quantile", "split_conformal", "validation_errors_per_step", List.of(13L)),
                    info.intervals().get("calibration"));
            assertTrue(ModelInfoRenderer.render(info).contains("(validation_residual_quantiles, split_conformal on 13 "
                    + "validation errors per step)"), ModelInfoRenderer.render(info));
            assertEquals("store", info.series().get("column"));
            assertEquals(List.of("a", "b"), info.series().get("keys"));
            assertEquals(List.of(List.of(2L, 2L, 2L, 2L)), ((List<?>) info.series().get("std")).subList(1, 2));
            assertEquals(42L, info.training().get("seed"));
            assertEquals(Map.of("val_bpc", 1.5), info.metrics());
            assertEquals(new ModelInfo.Parity(2e-7, 1e-5, 6), info.parity().orElseThrow());
            assertEquals(ModelFormat.TokenUnit.EVENT, info.tokenUnit());
            assertEquals(new ModelInfo.Baseline("val_bpc", 1.5, "Kneser-Ney 5-gram", 1.75, "beats",
                    "beats its baseline"), info.baseline().orElseThrow());
            assertTrue(info.baseline().orElseThrow().beatsBaseline());
            assertEquals("corpus.txt", info.metadataObject("stepwise.evaluation").orElseThrow().get("data"));

            // The runtime reads exactly what the exporter derived for this network.
            Map<String, String> structural = OnnxExporter.structuralMetadata(spec);
            Map<String, String> readBack = new LinkedHashMap<>();
            structural.keySet().forEach(k -> readBack.put(k, info.metadata().get(k)));
            assertEquals(structural, readBack);
        }
    }

    private static <E> List<String> ids(E[] values, java.util.function.Function<E, String> id) {
        return Arrays.stream(values).map(id).sorted().toList();
    }

    private static <E> List<String> wireNames(E[] values, java.util.function.Function<E, String> wire,
                                              java.util.function.Predicate<E> inFiles) {
        return Arrays.stream(values).filter(inFiles).map(wire).sorted().collect(Collectors.toList());
    }
}
