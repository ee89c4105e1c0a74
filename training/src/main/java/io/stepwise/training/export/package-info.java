/**
 * Export stage from the training side: extracts a trained DJL network's weights
 * ({@link io.stepwise.training.export.WeightExtractor}), writes them through the conversion module and proves
 * parity between the DJL network and ONNX Runtime ({@link io.stepwise.training.export.ModelExporter});
 * {@link io.stepwise.training.export.ParityVerifier} re-proves it later from a model file alone.
 */
package io.stepwise.training.export;
