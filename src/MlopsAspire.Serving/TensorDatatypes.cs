using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlopsAspire.Serving;

/// <summary>Wire names, element sizes and ONNX element types of <see cref="TensorDatatype"/>.</summary>
public static class TensorDatatypes
{
    private static readonly string[] WireNames =
    [
        "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
        "FP16", "BF16", "FP32", "FP64", "BYTES",
    ];

    /// <summary>Every datatype's wire name, for messages that list the accepted ones.</summary>
    public static IReadOnlyList<string> AllWireNames => WireNames;

    /// <summary>The protocol spelling, e.g. <c>FP32</c>.</summary>
    public static string ToWireName(this TensorDatatype datatype) => WireNames[(int)datatype];

    /// <summary>Parses a protocol datatype name (exact, upper case as the protocol spells it).</summary>
    public static bool TryParse(string? wireName, out TensorDatatype datatype)
    {
        var index = wireName is null ? -1 : Array.IndexOf(WireNames, wireName);
        datatype = index < 0 ? default : (TensorDatatype)index;
        return index >= 0;
    }

    /// <summary>Bytes per element in the raw little-endian layout; 0 for <see cref="TensorDatatype.Bytes"/>, whose elements vary.</summary>
    public static int ElementSize(this TensorDatatype datatype) => datatype switch
    {
        TensorDatatype.Bool or TensorDatatype.UInt8 or TensorDatatype.Int8 => 1,
        TensorDatatype.UInt16 or TensorDatatype.Int16 or TensorDatatype.Fp16 or TensorDatatype.Bf16 => 2,
        TensorDatatype.UInt32 or TensorDatatype.Int32 or TensorDatatype.Fp32 => 4,
        TensorDatatype.UInt64 or TensorDatatype.Int64 or TensorDatatype.Fp64 => 8,
        TensorDatatype.Bytes => 0,
        _ => throw new ArgumentOutOfRangeException(nameof(datatype)),
    };

    public static TensorElementType ToOnnx(this TensorDatatype datatype) => datatype switch
    {
        TensorDatatype.Bool => TensorElementType.Bool,
        TensorDatatype.UInt8 => TensorElementType.UInt8,
        TensorDatatype.UInt16 => TensorElementType.UInt16,
        TensorDatatype.UInt32 => TensorElementType.UInt32,
        TensorDatatype.UInt64 => TensorElementType.UInt64,
        TensorDatatype.Int8 => TensorElementType.Int8,
        TensorDatatype.Int16 => TensorElementType.Int16,
        TensorDatatype.Int32 => TensorElementType.Int32,
        TensorDatatype.Int64 => TensorElementType.Int64,
        TensorDatatype.Fp16 => TensorElementType.Float16,
        TensorDatatype.Bf16 => TensorElementType.BFloat16,
        TensorDatatype.Fp32 => TensorElementType.Float,
        TensorDatatype.Fp64 => TensorElementType.Double,
        TensorDatatype.Bytes => TensorElementType.String,
        _ => throw new ArgumentOutOfRangeException(nameof(datatype)),
    };

    /// <summary>Maps an ONNX element type; false for types the protocol cannot carry (complex, float8, 4-bit).</summary>
    public static bool TryFromOnnx(TensorElementType elementType, out TensorDatatype datatype)
    {
        TensorDatatype? mapped = elementType switch
        {
            TensorElementType.Bool => TensorDatatype.Bool,
            TensorElementType.UInt8 => TensorDatatype.UInt8,
            TensorElementType.UInt16 => TensorDatatype.UInt16,
            TensorElementType.UInt32 => TensorDatatype.UInt32,
            TensorElementType.UInt64 => TensorDatatype.UInt64,
            TensorElementType.Int8 => TensorDatatype.Int8,
            TensorElementType.Int16 => TensorDatatype.Int16,
            TensorElementType.Int32 => TensorDatatype.Int32,
            TensorElementType.Int64 => TensorDatatype.Int64,
            TensorElementType.Float16 => TensorDatatype.Fp16,
            TensorElementType.BFloat16 => TensorDatatype.Bf16,
            TensorElementType.Float => TensorDatatype.Fp32,
            TensorElementType.Double => TensorDatatype.Fp64,
            TensorElementType.String => TensorDatatype.Bytes,
            _ => null,
        };
        datatype = mapped.GetValueOrDefault();
        return mapped.HasValue;
    }

    /// <summary>
    /// Whether the protocol has a typed contents field for this datatype. FP16 and BF16 travel only as raw bytes.
    /// </summary>
    public static bool HasTypedContents(this TensorDatatype datatype) =>
        datatype is not (TensorDatatype.Fp16 or TensorDatatype.Bf16);

    /// <summary>The typed contents field that carries this datatype, as the protocol names it.</summary>
    public static string TypedContentsField(this TensorDatatype datatype) => datatype switch
    {
        TensorDatatype.Bool => "bool_contents",
        TensorDatatype.UInt8 or TensorDatatype.UInt16 or TensorDatatype.UInt32 => "uint_contents",
        TensorDatatype.UInt64 => "uint64_contents",
        TensorDatatype.Int8 or TensorDatatype.Int16 or TensorDatatype.Int32 => "int_contents",
        TensorDatatype.Int64 => "int64_contents",
        TensorDatatype.Fp32 => "fp32_contents",
        TensorDatatype.Fp64 => "fp64_contents",
        TensorDatatype.Bytes => "bytes_contents",
        _ => "raw contents only",
    };
}
