/**
 * Export stage: writes recurrent networks (vanilla RNN, LSTM, GRU stacks with an embedding or dense input and a
 * linear head) as standard ONNX graphs with protobuf-java only, and reads them back.
 *
 * <p>The entry points are {@link io.stepwise.conversion.OnnxExporter} (network description
 * {@link io.stepwise.conversion.NetworkSpec} + weights {@link io.stepwise.conversion.NetworkWeights} + task-level
 * {@link io.stepwise.conversion.ModelMetadata} → one self-contained {@code .onnx} file) and
 * {@link io.stepwise.conversion.OnnxModelReader} (the inverse). Gate re-layout between PyTorch/DJL and ONNX lives
 * in {@link io.stepwise.conversion.GateLayout}; the file's metadata key names and format version in
 * {@link io.stepwise.conversion.MetadataKeys}. The file contract is docs/model-format.md.
 */
package io.stepwise.conversion;
