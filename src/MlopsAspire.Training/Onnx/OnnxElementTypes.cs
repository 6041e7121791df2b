using System.Diagnostics.CodeAnalysis;

namespace MlopsAspire.Training.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType, also ONNX Runtime's TensorElementType) by their Open Inference Protocol names.</summary>
internal static class OnnxElementTypes
{
    public static string ToDatatype(int elementType) =>
        TryToDatatype(elementType, out var datatype) ? datatype : $"element type {elementType}";

    /// <summary>The protocol's name of the element type; false for types the protocol cannot carry (complex, float8, 4-bit).</summary>
    public static bool TryToDatatype(int elementType, [NotNullWhen(true)] out string? datatype)
    {
        datatype = elementType switch
        {
            1 => "FP32",
            2 => "UINT8",
            3 => "INT8",
            4 => "UINT16",
            5 => "INT16",
            6 => "INT32",
            7 => "INT64",
            8 => "BYTES",
            9 => "BOOL",
            10 => "FP16",
            11 => "FP64",
            12 => "UINT32",
            13 => "UINT64",
            16 => "BF16",
            _ => null,
        };
        return datatype is not null;
    }
}
