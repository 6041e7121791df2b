"""Writes the small ONNX models perf/hosting/validation-memory.sh registers, with no dependency beyond Python.

    python3 onnx_test_models.py add-bias BIAS OUT.onnx         y = x + bias, FP32 [-1, 4]
    python3 onnx_test_models.py constant-of-shape BYTES OUT.onnx y = x + sum(ConstantOfShape(BYTES / 4 floats))

The protobuf wire format is written by hand (onnx.proto field numbers), as the tests build the same graphs.
"""
import struct
import sys


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    """A length-delimited field (wire type 2)."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def number(number_, value):
    """A varint field (wire type 0)."""
    return varint(number_ << 3) + varint(value)


def text(number_, value):
    return field(number_, value.encode())


def tensor(name, data_type, dims, floats=(), int64s=()):
    body = b"".join(number(1, d) for d in dims) + number(2, data_type)
    if floats:
        body += field(4, b"".join(struct.pack("<f", f) for f in floats))
    if int64s:
        body += field(7, b"".join(varint(v) for v in int64s))
    return body + text(8, name)


def node(op_type, inputs, outputs, attributes=b""):
    return b"".join(text(1, i) for i in inputs) + b"".join(text(2, o) for o in outputs) + text(4, op_type) + attributes


def value_info(name):
    dims = field(1, text(2, "batch")) + field(1, number(1, 4))
    tensor_type = number(1, 1) + field(2, dims)
    return text(1, name) + field(2, field(1, tensor_type))


def model(name, nodes, initializers):
    graph = b"".join(field(1, n) for n in nodes) + text(2, name) + b"".join(field(5, t) for t in initializers)
    graph += field(11, value_info("x")) + field(12, value_info("y"))
    opset = text(1, "") + number(2, 17)
    return number(1, 8) + field(8, opset) + field(7, graph)


FLOAT, INT64, TENSOR_ATTRIBUTE = 1, 7, 4


def add_bias(bias):
    return model("add-bias", [node("Add", ["x", "bias"], ["y"])], [tensor("bias", FLOAT, [4], floats=[bias] * 4)])


def constant_of_shape(size):
    value = text(1, "value") + field(5, tensor("value", FLOAT, [1], floats=[0.0])) + number(20, TENSOR_ATTRIBUTE)
    nodes = [
        node("ConstantOfShape", ["shape"], ["large"], field(5, value)),
        node("ReduceSum", ["large"], ["sum"]),
        node("Add", ["x", "sum"], ["y"]),
    ]
    return model("constant-of-shape", nodes, [tensor("shape", INT64, [1], int64s=[size // 4])])


if __name__ == "__main__":
    kind, argument, path = sys.argv[1:4]
    content = add_bias(float(argument)) if kind == "add-bias" else constant_of_shape(int(argument))
    with open(path, "wb") as out:
        out.write(content)
    print(f"{path}: {len(content)} bytes")
