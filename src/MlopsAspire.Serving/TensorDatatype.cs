using System.Diagnostics.CodeAnalysis;

namespace MlopsAspire.Serving;

/// <summary>The tensor element types of the Open Inference Protocol.</summary>
[SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The members are the Open Inference Protocol's datatype names.")]
public enum TensorDatatype
{
    Bool,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Int8,
    Int16,
    Int32,
    Int64,
    Fp16,
    Bf16,
    Fp32,
    Fp64,
    Bytes,
}
