namespace MlopsAspire.Training.Onnx;

/// <summary>ONNX tensor element types (TensorProto.DataType) by their Open Inference Protocol names.</summary>
internal static class OnnxElementTypes
{
    public static string ToDatatype(int elementType) => elementType switch
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
        _ => $"element type {elementType}",
    };
}
