using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlopsAspire.Serving;

/// <summary>
/// One output tensor, read in place from ONNX Runtime's memory or from the pooled buffer a batch split it into
/// (valid until the response is disposed).
/// </summary>
public sealed class InferenceOutput
{
    private readonly OrtValue? _value;
    private readonly byte[]? _buffer;
    private nint _address;
    private int _length = -1;

    internal InferenceOutput(string name, OrtValue value)
    {
        _value = value;
        Name = name;
        var typeAndShape = value.GetTensorTypeAndShape();
        Datatype = DatatypeOf(name, typeAndShape.ElementDataType);
        Shape = typeAndShape.Shape;
        ElementCount = typeAndShape.ElementCount;
    }

    internal InferenceOutput(string name, BatchSlice slice)
    {
        Name = name;
        Datatype = DatatypeOf(name, slice.ElementType);
        Shape = slice.Shape;
        // Batches never hold BYTES, so every element has a fixed size.
        ElementCount = slice.Length / Datatype.ElementSize();
        _buffer = slice.Buffer;
        _length = slice.Length;
    }

    private static TensorDatatype DatatypeOf(string name, TensorElementType elementType) =>
        TensorDatatypes.TryFromOnnx(elementType, out var datatype)
            ? datatype
            : throw new InferenceException(
                InferenceErrorKind.Internal,
                $"output '{name}' has element type {elementType}, which the protocol cannot carry");

    public string Name { get; }

    public TensorDatatype Datatype { get; }

    public string DatatypeName => Datatype.ToWireName();

    public long[] Shape { get; }

    public long ElementCount { get; }

    /// <summary>Whether the protocol's typed contents can carry this output (not FP16/BF16).</summary>
    public bool HasTypedContents => Datatype.HasTypedContents();

    /// <summary>The elements as little-endian bytes in row-major order; not for BYTES (see <see cref="GetBytesElement"/>).</summary>
    public unsafe ReadOnlySpan<byte> RawData
    {
        get
        {
            if (Datatype == TensorDatatype.Bytes)
            {
                throw new InvalidOperationException($"output '{Name}' is BYTES; read its elements one by one");
            }

            if (_buffer is not null)
            {
                return _buffer.AsSpan(0, _length);
            }

            var length = Volatile.Read(ref _length);
            if (length < 0)
            {
                // Located on first use and kept: each lookup is several native calls, and encoders read the data
                // more than once. The value does not move while the response holds it.
                var raw = _value!.GetTensorMutableRawData();
                _address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(raw));
                length = raw.Length;
                Volatile.Write(ref _length, length);
            }

            return new ReadOnlySpan<byte>((void*)_address, length);
        }
    }

    /// <summary>The elements as their CLR type (e.g. float for FP32, Half for FP16, ushort bits for BF16).</summary>
    public ReadOnlySpan<T> GetValues<T>()
        where T : unmanaged
    {
        var raw = RawData;
        if (Datatype.ElementSize() != System.Runtime.CompilerServices.Unsafe.SizeOf<T>())
        {
            throw new InvalidOperationException($"output '{Name}' is {DatatypeName}; {typeof(T).Name} has a different size");
        }

        return MemoryMarshal.Cast<byte, T>(raw);
    }

    /// <summary>One element of a BYTES output.</summary>
    public ReadOnlySpan<byte> GetBytesElement(long index) =>
        _value is not null && Datatype == TensorDatatype.Bytes
            ? _value.GetStringElementAsSpan(checked((int)index))
            : throw new InvalidOperationException($"output '{Name}' is {DatatypeName}, not BYTES; read it with RawData");

    /// <summary>The raw encoding's length; see <see cref="TensorCodec.RawByteLength"/>.</summary>
    public int RawByteLength => TensorCodec.RawByteLength(this);

    public void WriteRaw(Span<byte> destination) => TensorCodec.WriteRaw(this, destination);

    public void WriteTypedContents(ITypedContentsSink sink) => TensorCodec.WriteTypedContents(this, sink);
}
