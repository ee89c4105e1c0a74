#!/usr/bin/python3
"""Writes the hostile-model regression fixtures of issue 16, each a small edit of the committed co2-rnn model.

Every file here once crashed the JVM, exhausted memory, hung a step, or loaded and misbehaved; the runtime must
refuse each one before ONNX Runtime reads it (runtime/src/test/.../HostileModelsTest). Files written:

* truncated_state_start.onnx - initializer layer0_state_start (int64 [1]) keeps 4 of its 8 raw bytes. ONNX
                               Runtime 1.23.2 reads past the buffer in session creation: SIGSEGV, the JVM dies.
* constant_of_shape.onnx     - the step path adds ReduceSum(ConstantOfShape([2^31])) to the output: 8 GiB of
                               floats, allocated when the session is created (constant folding) or on the first step.
* loop_forever.onnx          - the step path adds the result of a Loop with trip count 2^62 whose body carries a value
                               derived from h0: the step never returns.
* extended_state_start.onnx  - layer0_state_start (int64 [1]) carries 33 bytes more than its shape: ONNX Runtime
                               may abort the process in session creation (exit 134; found by make fuzz; whether it
                               aborts depends on memory layout).
* reshaped_weight.onnx       - layer0_W is declared [16, 8] (128 floats) but holds the 64 of [1, 64, 1]. ONNX
                               Runtime usually refuses it, but the fuzz cases that did this aborted the process
                               ("terminate called without an active exception").
* metadata_output_size.onnx  - stepwise.output_size says 2147483647 while the graph's head has 1 output.
* nan_weights.onnx           - one element of layer0_R is NaN: every output is NaN, silently.

The metadata-flood cases (20,000 and 200,000 entries, 26 s and > 5 min of ONNX Runtime's quadratic reader) are
built by the test itself from the base model, so that no large file is committed.

Run with Debian's python3-onnx:  /usr/bin/python3 scripts/make_hostile_fixtures.py [base-model] [output-folder]
"""
import os
import struct
import sys

import onnx
from onnx import TensorProto, helper

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BASE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "models", "co2-rnn.onnx")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "runtime", "src", "test", "resources", "hostile")


def base():
    return onnx.load(BASE)


def initializer(model, name):
    for t in model.graph.initializer:
        if t.name == name:
            return t
    raise KeyError(name)


def add_to_output(model, extra_nodes, extra_initializers, term):
    """Renames the head's final Add output and adds `term` (a scalar float value) to it as the graph output."""
    head = [n for n in model.graph.node if list(n.output) == ["output"]][0]
    head.output[0] = "output_before_hostile_term"
    model.graph.initializer.extend(extra_initializers)
    model.graph.node.extend(extra_nodes)
    model.graph.node.append(helper.make_node("Add", ["output_before_hostile_term", term], ["output"],
                                             name="hostile_add"))
    return model


def truncated_state_start():
    m = base()
    t = initializer(m, "layer0_state_start")
    t.raw_data = t.raw_data[:4]
    return m


def constant_of_shape():
    m = base()
    shape = helper.make_tensor("hostile_shape", TensorProto.INT64, [1], [2 ** 31])
    nodes = [
        helper.make_node("ConstantOfShape", ["hostile_shape"], ["hostile_zeros"], name="hostile_zeros",
                         value=helper.make_tensor("value", TensorProto.FLOAT, [1], [0.0])),
        helper.make_node("ReduceSum", ["hostile_zeros"], ["hostile_sum"], name="hostile_sum", keepdims=0),
    ]
    return add_to_output(m, nodes, [shape], "hostile_sum")


def loop_forever():
    m = base()
    trips = helper.make_tensor("hostile_trips", TensorProto.INT64, [], [2 ** 62])
    always = helper.make_tensor("hostile_true", TensorProto.BOOL, [], [True])
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Identity", ["carried_in"], ["carried_out"])],
        "hostile_body",
        [helper.make_tensor_value_info("iteration", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("carried_in", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("carried_out", TensorProto.FLOAT, [])])
    nodes = [
        helper.make_node("ReduceSum", ["h0"], ["hostile_seed"], name="hostile_seed", keepdims=0),
        helper.make_node("Loop", ["hostile_trips", "hostile_true", "hostile_seed"], ["hostile_carried"],
                         name="hostile_loop", body=body),
    ]
    return add_to_output(m, nodes, [trips, always], "hostile_carried")


def extended_state_start():
    m = base()
    t = initializer(m, "layer0_state_start")
    t.raw_data = t.raw_data + bytes(range(33))
    return m


def reshaped_weight():
    m = base()
    t = initializer(m, "layer0_W")
    del t.dims[:]
    t.dims.extend([16, 8])
    return m


def metadata_output_size():
    m = base()
    for p in m.metadata_props:
        if p.key == "stepwise.output_size":
            p.value = str(2 ** 31 - 1)
    return m


def nan_weights():
    m = base()
    t = initializer(m, "layer0_R")
    raw = bytearray(t.raw_data)
    raw[8:12] = struct.pack("<f", float("nan"))
    t.raw_data = bytes(raw)
    return m


def main():
    os.makedirs(OUT, exist_ok=True)
    for make in (truncated_state_start, constant_of_shape, loop_forever, extended_state_start, reshaped_weight,
                 metadata_output_size, nan_weights):
        path = os.path.join(OUT, make.__name__ + ".onnx")
        data = make().SerializeToString()
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        print(f"{path}: {len(data)} bytes")


if __name__ == "__main__":
    main()
