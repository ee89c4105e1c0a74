package io.stepwise.conversion;

import io.stepwise.conversion.onnx.OnnxProto.AttributeProto.AttributeType;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The ONNX operators the exporter emits, described as data (in the spirit of Tribuo's {@code OnnxOperators}):
 * input arity, output names, accepted attributes and the operator-set version from which the form used here
 * exists. {@link OnnxGraphBuilder#node} checks every node against this description, so a malformed node fails
 * when the graph is built rather than when a runtime loads the file.
 */
enum OnnxOperator {
    GATHER("Gather", 2, 2, List.of("output"), 13, attribute("axis", AttributeType.INT, false)),
    TRANSPOSE("Transpose", 1, 1, List.of("transposed"), 13, attribute("perm", AttributeType.INTS, true)),
    RESHAPE("Reshape", 2, 2, List.of("reshaped"), 14, attribute("allowzero", AttributeType.INT, false)),
    /** Inputs data, starts, ends, axes, steps (axes and steps optional). */
    SLICE("Slice", 3, 5, List.of("output"), 13),
    CONCAT("Concat", 1, Integer.MAX_VALUE, List.of("concat_result"), 13,
            attribute("axis", AttributeType.INT, true)),
    IDENTITY("Identity", 1, 1, List.of("output"), 14),
    MATMUL("MatMul", 2, 2, List.of("Y"), 13),
    ADD("Add", 2, 2, List.of("C"), 14),
    /** Inputs X, W, R, B, sequence_lens, initial_h. Opset 14 is the first with the {@code layout} attribute. */
    RNN("RNN", 3, 6, List.of("Y", "Y_h"), 14, recurrentAttributes()),
    /** Inputs X, W, R, B, sequence_lens, initial_h. */
    GRU("GRU", 3, 6, List.of("Y", "Y_h"), 14, recurrentAttributes(),
            attribute("linear_before_reset", AttributeType.INT, false)),
    /** Inputs X, W, R, B, sequence_lens, initial_h, initial_c, P. */
    LSTM("LSTM", 3, 8, List.of("Y", "Y_h", "Y_c"), 14, recurrentAttributes(),
            attribute("input_forget", AttributeType.INT, false));

    /** One accepted attribute: its name, type and whether every node must set it. */
    record Attribute(String name, AttributeType type, boolean required) {
    }

    private final String opType;
    private final int minInputs;
    private final int maxInputs;
    private final List<String> outputs;
    private final int sinceOpset;
    private final Map<String, Attribute> attributes;

    OnnxOperator(String opType, int minInputs, int maxInputs, List<String> outputs, int sinceOpset,
                 Attribute... attributes) {
        this(opType, minInputs, maxInputs, outputs, sinceOpset, List.of(attributes));
    }

    OnnxOperator(String opType, int minInputs, int maxInputs, List<String> outputs, int sinceOpset,
                 List<Attribute> shared, Attribute... own) {
        this.opType = opType;
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.outputs = outputs;
        this.sinceOpset = sinceOpset;
        this.attributes = java.util.stream.Stream.concat(shared.stream(), java.util.Arrays.stream(own))
                .collect(Collectors.toUnmodifiableMap(Attribute::name, Function.identity()));
    }

    /** The ONNX {@code op_type}. */
    String opType() {
        return opType;
    }

    int minInputs() {
        return minInputs;
    }

    int maxInputs() {
        return maxInputs;
    }

    /** Output names as the operator's schema calls them; generated value names end with them. */
    List<String> outputs() {
        return outputs;
    }

    /** First opset in which the operator has the form (inputs and attributes) used here. */
    int sinceOpset() {
        return sinceOpset;
    }

    Map<String, Attribute> attributes() {
        return attributes;
    }

    private static Attribute attribute(String name, AttributeType type, boolean required) {
        return new Attribute(name, type, required);
    }

    private static List<Attribute> recurrentAttributes() {
        return List.of(
                attribute("hidden_size", AttributeType.INT, true),
                attribute("direction", AttributeType.STRING, false),
                attribute("layout", AttributeType.INT, false),
                attribute("activations", AttributeType.STRINGS, false),
                attribute("clip", AttributeType.FLOAT, false));
    }
}
