using System.Globalization;
using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Serving;

/// <summary>
/// Validates request tensors against a model's signature and turns them into ONNX Runtime values, and encodes
/// output values as raw bytes or typed contents. Raw numeric inputs are handed to ONNX Runtime in place
/// (pinned, no copy); typed contents are converted into pooled buffers.
/// </summary>
public static class TensorCodec
{
    private const int ChunkElements = 256;
    private const int BytesLengthPrefix = sizeof(uint);

    /// <summary>Validates every input and builds the values a Run consumes. Throws <see cref="InferenceException"/>.</summary>
    public static PreparedInputs PrepareInputs(OnnxModel model, IReadOnlyList<InferenceInput> inputs) =>
        PrepareInputs(model.Name, model.Version, model.Signature, inputs);

    public static PreparedInputs PrepareInputs(string modelName, string modelVersion, ModelSignature signature, IReadOnlyList<InferenceInput> inputs)
    {
        if (inputs.Count == 0)
        {
            throw InferenceException.InvalidArgument(
                $"request has no inputs; model '{modelName}' inputs are: {signature.InputNames}");
        }

        var prepared = new PreparedInputs(inputs.Count);
        try
        {
            Span<bool> seen = signature.Inputs.Count <= 64 ? stackalloc bool[signature.Inputs.Count] : new bool[signature.Inputs.Count];
            foreach (var input in inputs)
            {
                var index = signature.IndexOfInput(input.Name);
                if (index < 0)
                {
                    throw InferenceException.InvalidArgument(
                        $"unknown input '{EchoedText.Of(input.Name)}'; model '{modelName}' inputs are: {signature.InputNames}");
                }

                var spec = signature.Inputs[index];
                if (seen[index])
                {
                    throw InferenceException.InvalidArgument($"input '{spec.Name}' appears more than once");
                }

                seen[index] = true;
                var shape = ValidateShape(modelName, modelVersion, spec, input, out var elementCount);
                if (input.Data.IsRaw)
                {
                    AddRaw(spec, input, shape, elementCount, prepared);
                }
                else
                {
                    AddTyped(spec, input, shape, elementCount, prepared);
                }
            }

            if (prepared.Count < signature.Inputs.Count)
            {
                var missing = new List<string>();
                for (var i = 0; i < signature.Inputs.Count; i++)
                {
                    if (!seen[i])
                    {
                        var spec = signature.Inputs[i];
                        missing.Add($"'{spec.Name}' ({spec.DatatypeName} {ShapeFormat.Format(spec.Shape)})");
                    }
                }

                throw InferenceException.InvalidArgument(
                    $"missing input {string.Join(", ", missing)}; model '{modelName}' requires: {signature.InputNames}");
            }

            CheckSharedDimensions(signature, prepared);
            return prepared;
        }
        catch
        {
            prepared.Dispose();
            throw;
        }
    }

    /// <summary>Inputs that share a named dynamic dimension (typically the batch) must give it the same size.</summary>
    private static void CheckSharedDimensions(ModelSignature signature, PreparedInputs prepared)
    {
        if (prepared.Count < 2)
        {
            return;
        }

        Dictionary<string, (string Input, long Size)>? sizes = null;
        for (var i = 0; i < prepared.Count; i++)
        {
            var spec = signature.FindInput(prepared.Names[i])!;
            for (var dim = 0; dim < spec.DimensionNames.Count; dim++)
            {
                if (spec.DimensionNames[dim] is not { } dimensionName)
                {
                    continue;
                }

                var size = prepared.Shapes[i][dim];
                sizes ??= new Dictionary<string, (string, long)>(StringComparer.Ordinal);
                if (!sizes.TryGetValue(dimensionName, out var first))
                {
                    sizes[dimensionName] = (spec.Name, size);
                }
                else if (first.Size != size)
                {
                    throw InferenceException.InvalidArgument(
                        $"input '{spec.Name}' dimension {dim} ('{dimensionName}') is {size} but input '{first.Input}' has {first.Size}; inputs must agree on it");
                }
            }
        }
    }

    /// <summary>The outputs to compute: the requested ones in request order, or all of the signature's.</summary>
    public static IReadOnlyList<string> ResolveOutputs(OnnxModel model, IReadOnlyList<string>? requested) =>
        ResolveOutputs(model.Name, model.Signature, requested);

    public static IReadOnlyList<string> ResolveOutputs(string modelName, ModelSignature signature, IReadOnlyList<string>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            return signature.OutputNameList;
        }

        var names = new string[requested.Count];
        for (var i = 0; i < requested.Count; i++)
        {
            var name = requested[i];
            if (signature.FindOutput(name) is null)
            {
                throw InferenceException.InvalidArgument(
                    $"unknown requested output '{EchoedText.Of(name)}'; model '{modelName}' outputs are: {signature.OutputNames}");
            }

            if (Array.IndexOf(names, name, 0, i) >= 0)
            {
                throw InferenceException.InvalidArgument($"output '{name}' is requested more than once");
            }

            names[i] = name;
        }

        return names;
    }

    /// <summary>
    /// Checks the declared datatype and shape against the spec, in order of cost: nothing proportional to the
    /// declared shape is allocated or computed here, so a shape that claims billions of elements costs as little
    /// to refuse as any other. Returns the concrete shape and its element count.
    /// </summary>
    private static long[] ValidateShape(string modelName, string modelVersion, TensorSpec spec, InferenceInput input, out long elementCount)
    {
        if (!TensorDatatypes.TryParse(input.Datatype, out var datatype))
        {
            throw InferenceException.InvalidArgument(
                $"input '{spec.Name}' has unknown datatype '{EchoedText.Of(input.Datatype)}'; model '{modelName}' version '{modelVersion}' expects {spec.DatatypeName}");
        }

        if (datatype != spec.Datatype)
        {
            throw InferenceException.InvalidArgument(
                $"input '{spec.Name}' has datatype {input.Datatype} but model '{modelName}' version '{modelVersion}' expects {spec.DatatypeName}");
        }

        // The caller's list as sent: a rank of thousands is refused before it is copied or printed whole.
        var sent = input.Shape;
        if (sent.Count != spec.Shape.Length)
        {
            throw InferenceException.InvalidArgument(
                $"input '{spec.Name}' shape {FormatSent(sent)} does not match expected {ShapeFormat.Format(spec.Shape)}");
        }

        for (var i = 0; i < sent.Count; i++)
        {
            if (sent[i] < 0)
            {
                throw InferenceException.InvalidArgument(
                    $"input '{spec.Name}' shape {ShapeFormat.Format(sent)} has a negative dimension; send the concrete size of every dimension");
            }
        }

        if (!spec.Accepts(sent))
        {
            throw InferenceException.InvalidArgument(
                $"input '{spec.Name}' shape {ShapeFormat.Format(sent)} does not match expected {ShapeFormat.Format(spec.Shape)}");
        }

        if (sent.Count > 0 && sent[0] == 0)
        {
            throw InferenceException.InvalidArgument(
                $"input '{spec.Name}' has an empty batch (shape {ShapeFormat.Format(sent)}); send at least one row");
        }

        var shape = new long[sent.Count];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = sent[i];
            if (shape[i] == 0)
            {
                throw InferenceException.InvalidArgument(
                    $"input '{spec.Name}' shape {ShapeFormat.Format(sent)} has a zero-sized dimension and so no elements");
            }
        }

        elementCount = CountDeclaredElements(spec.Name, spec.Datatype, shape);
        return shape;
    }

    /// <summary>
    /// The number of elements a shape of positive dimensions declares, refused when it is more than one tensor of
    /// <paramref name="datatype"/> may hold: computed from the shape alone, so a protocol reader can refuse a
    /// declared size before it reads a single value.
    /// </summary>
    public static long CountDeclaredElements(string inputName, TensorDatatype datatype, IReadOnlyList<long> shape)
    {
        long elementCount = 1;
        var overflow = false;
        foreach (var dimension in shape)
        {
            if (dimension <= 0)
            {
                throw new ArgumentException($"shape {FormatSent(shape)} has a dimension that is not positive", nameof(shape));
            }

            overflow |= elementCount > long.MaxValue / dimension;
            elementCount = overflow ? long.MaxValue : elementCount * dimension;
        }

        // Buffers are indexed by int; a tensor this large could never arrive in one message anyway.
        var maxElements = int.MaxValue / Math.Max(1, datatype.ElementSize());
        if (overflow || elementCount > maxElements)
        {
            var declared = overflow ? "more than 2^63 elements" : string.Create(CultureInfo.InvariantCulture, $"{elementCount:N0} elements");
            throw InferenceException.InvalidArgument(string.Create(
                CultureInfo.InvariantCulture,
                $"input '{inputName}' shape {FormatSent(shape)} declares {declared}, over the {maxElements:N0} {datatype.ToWireName()} elements one tensor may hold; send fewer rows per request"));
        }

        return elementCount;
    }

    /// <summary>A shape as sent, shortened when its rank alone would make the message long.</summary>
    private static string FormatSent(IReadOnlyList<long> shape) =>
        shape.Count <= 16 ? ShapeFormat.Format(shape) : $"of rank {shape.Count}";

    private static void AddRaw(TensorSpec spec, InferenceInput input, long[] shape, long elementCount, PreparedInputs prepared)
    {
        var raw = input.Data.RawBytes;
        if (spec.Datatype == TensorDatatype.Bytes)
        {
            prepared.Add(spec.Name, shape, FromRawStrings(spec, input, shape, elementCount, raw), raw.Length);
            return;
        }

        var elementSize = spec.Datatype.ElementSize();
        var expected = elementCount * elementSize;
        if (raw.Length != expected)
        {
            throw InferenceException.InvalidArgument(
                $"{input.Data.FieldFor(spec.Datatype)} for input '{spec.Name}' has {raw.Length} bytes; shape {ShapeFormat.Format(shape)} of {spec.DatatypeName} needs {expected}");
        }

        if (spec.Datatype == TensorDatatype.Bool && raw.Span.IndexOfAnyExcept((byte)0, (byte)1) is var bad and >= 0)
        {
            throw InferenceException.InvalidArgument(
                $"{input.Data.FieldFor(spec.Datatype)} for input '{spec.Name}' has byte {raw.Span[bad]} at element {bad}; BOOL elements are 0 or 1");
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new InferenceException(InferenceErrorKind.Internal, "raw tensor data is little-endian; this server runs on a big-endian machine");
        }

        var pin = raw.Pin();
        prepared.Keep(pin);
        unsafe
        {
            var address = (nint)pin.Pointer;
            if (address % elementSize != 0)
            {
                // Misaligned elements: copy into an aligned pooled buffer rather than hand ONNX Runtime odd addresses.
                var buffer = Rent(prepared, raw.Length, out var alignedPin);
                raw.Span.CopyTo(buffer);
                address = (nint)alignedPin.Pointer;
            }

            prepared.Add(spec.Name, shape, spec.Datatype.ToOnnx(), address, raw.Length);
        }
    }

    private static OrtValue FromRawStrings(TensorSpec spec, InferenceInput input, long[] shape, long elementCount, ReadOnlyMemory<byte> raw)
    {
        // Every element takes at least its 4-byte length: refuse a shape the bytes cannot fill before the runtime
        // allocates a string for each element it declares.
        if (elementCount > raw.Length / BytesLengthPrefix)
        {
            throw RawBytesMismatch(spec, input, shape, elementCount, $"has {raw.Length} bytes, room for at most {raw.Length / BytesLengthPrefix} elements");
        }

        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            var span = raw.Span;
            var offset = 0;
            for (var i = 0; i < elementCount; i++)
            {
                if (span.Length - offset < BytesLengthPrefix)
                {
                    throw RawBytesMismatch(spec, input, shape, elementCount, $"ends after {i} elements");
                }

                var length = BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
                offset += BytesLengthPrefix;
                if (length > (uint)(span.Length - offset))
                {
                    throw RawBytesMismatch(spec, input, shape, elementCount, $"element {i} claims {length} bytes but only {span.Length - offset} remain");
                }

                value.StringTensorSetElementAt(span.Slice(offset, (int)length), i);
                offset += (int)length;
            }

            if (offset != span.Length)
            {
                throw RawBytesMismatch(spec, input, shape, elementCount, $"has {span.Length - offset} bytes left over");
            }

            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    private static InferenceException RawBytesMismatch(TensorSpec spec, InferenceInput input, long[] shape, long elementCount, string problem) =>
        InferenceException.InvalidArgument(
            $"{input.Data.FieldFor(spec.Datatype)} for input '{spec.Name}' {problem}; shape {ShapeFormat.Format(shape)} of BYTES needs {elementCount} elements, each a 4-byte little-endian length followed by that many bytes");

    private static void AddTyped(TensorSpec spec, InferenceInput input, long[] shape, long elementCount, PreparedInputs prepared)
    {
        var values = input.Data.Values!;
        var count = (int)elementCount;
        if (spec.Datatype == TensorDatatype.Bytes)
        {
            prepared.Add(spec.Name, shape, FromTypedStrings(spec, input, shape, count, values, out var byteLength), byteLength);
            return;
        }

        // The values actually sent are counted before a buffer for the declared shape is rented.
        CheckCount(input, spec, shape, count, ValueCount(spec, input, values));
        var buffer = Rent(prepared, count * spec.Datatype.ElementSize(), out var pin);
        switch (spec.Datatype, values)
        {
            case (TensorDatatype.Bool, IReadOnlyList<bool> bools):
                CopyValues(bools, MemoryMarshal.Cast<byte, bool>(buffer));
                break;
            case (TensorDatatype.Int8, IReadOnlyList<int> ints):
                Narrow(spec, ints, MemoryMarshal.Cast<byte, sbyte>(buffer));
                break;
            case (TensorDatatype.Int16, IReadOnlyList<int> ints):
                Narrow(spec, ints, MemoryMarshal.Cast<byte, short>(buffer));
                break;
            case (TensorDatatype.Int32, IReadOnlyList<int> ints):
                CopyValues(ints, MemoryMarshal.Cast<byte, int>(buffer));
                break;
            case (TensorDatatype.Int64, IReadOnlyList<long> longs):
                CopyValues(longs, MemoryMarshal.Cast<byte, long>(buffer));
                break;
            case (TensorDatatype.UInt8, IReadOnlyList<uint> uints):
                Narrow(spec, uints, buffer);
                break;
            case (TensorDatatype.UInt16, IReadOnlyList<uint> uints):
                Narrow(spec, uints, MemoryMarshal.Cast<byte, ushort>(buffer));
                break;
            case (TensorDatatype.UInt32, IReadOnlyList<uint> uints):
                CopyValues(uints, MemoryMarshal.Cast<byte, uint>(buffer));
                break;
            case (TensorDatatype.UInt64, IReadOnlyList<ulong> ulongs):
                CopyValues(ulongs, MemoryMarshal.Cast<byte, ulong>(buffer));
                break;
            case (TensorDatatype.Fp32, IReadOnlyList<float> floats):
                CopyValues(floats, MemoryMarshal.Cast<byte, float>(buffer));
                break;
            case (TensorDatatype.Fp16, IReadOnlyList<float> floats):
                ReducedPrecision.ToHalf(floats, MemoryMarshal.Cast<byte, Half>(buffer));
                break;
            case (TensorDatatype.Bf16, IReadOnlyList<float> floats):
                ReducedPrecision.ToBFloat16(floats, MemoryMarshal.Cast<byte, ushort>(buffer));
                break;
            case (TensorDatatype.Fp64, IReadOnlyList<double> doubles):
                CopyValues(doubles, MemoryMarshal.Cast<byte, double>(buffer));
                break;
            default:
                throw new InvalidOperationException($"{spec.DatatypeName} values of type {values.GetType().Name} passed the count check");
        }

        unsafe
        {
            prepared.Add(spec.Name, shape, spec.Datatype.ToOnnx(), (nint)pin.Pointer, buffer.Length);
        }
    }

    /// <summary>How many values were sent, when their kind is the one the datatype takes; a clear refusal otherwise.</summary>
    private static int ValueCount(TensorSpec spec, InferenceInput input, object values) => (spec.Datatype, values) switch
    {
        (TensorDatatype.Bool, IReadOnlyList<bool> bools) => bools.Count,
        (TensorDatatype.Int8 or TensorDatatype.Int16 or TensorDatatype.Int32, IReadOnlyList<int> ints) => ints.Count,
        (TensorDatatype.Int64, IReadOnlyList<long> longs) => longs.Count,
        (TensorDatatype.UInt8 or TensorDatatype.UInt16 or TensorDatatype.UInt32, IReadOnlyList<uint> uints) => uints.Count,
        (TensorDatatype.UInt64, IReadOnlyList<ulong> ulongs) => ulongs.Count,
        (TensorDatatype.Fp32 or TensorDatatype.Fp16 or TensorDatatype.Bf16, IReadOnlyList<float> floats) => floats.Count,
        (TensorDatatype.Fp64, IReadOnlyList<double> doubles) => doubles.Count,
        _ => throw InferenceException.InvalidArgument(
            $"input '{spec.Name}' has datatype {spec.DatatypeName} but its contents are {ContentsFieldOf(values)}; send {spec.DatatypeName} values in {spec.Datatype.TypedContentsField()} or raw_input_contents"),
    };

    private static OrtValue FromTypedStrings(TensorSpec spec, InferenceInput input, long[] shape, int count, object values, out int byteLength)
    {
        var elements = values switch
        {
            IReadOnlyList<ReadOnlyMemory<byte>> memories => memories,
            IReadOnlyList<byte[]> arrays => arrays.Select(array => (ReadOnlyMemory<byte>)array).ToArray(),
            _ => throw InferenceException.InvalidArgument(
                $"input '{spec.Name}' has datatype BYTES but its contents are {ContentsFieldOf(values)}; send BYTES values in bytes_contents or raw_input_contents"),
        };
        CheckCount(input, spec, shape, count, elements.Count);
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        try
        {
            long total = 0;
            for (var i = 0; i < count; i++)
            {
                var element = elements[i].Span;
                value.StringTensorSetElementAt(element, i);
                total += BytesLengthPrefix + element.Length;
            }

            byteLength = (int)Math.Min(total, int.MaxValue);
            return value;
        }
        catch
        {
            value.Dispose();
            throw;
        }
    }

    /// <summary>A buffer for one request's tensor (<see cref="TensorBuffers"/>), kept and pinned until the inputs are disposed.</summary>
    private static Span<byte> Rent(PreparedInputs prepared, int length, out MemoryHandle pin)
    {
        var buffer = TensorBuffers.Rent(length);
        prepared.Keep(buffer);
        pin = buffer.AsMemory().Pin();
        prepared.Keep(pin);
        return buffer.AsSpan(0, length);
    }

    private static void CheckCount(InferenceInput input, TensorSpec spec, long[] shape, int expected, int actual)
    {
        if (actual != expected)
        {
            throw InferenceException.InvalidArgument(
                $"input '{spec.Name}' has {actual} values in {input.Data.FieldFor(spec.Datatype)} but shape {ShapeFormat.Format(shape)} needs {expected}");
        }
    }

    private static void CopyValues<T>(IReadOnlyList<T> source, Span<T> destination)
    {
        switch (source)
        {
            case T[] array:
                array.AsSpan().CopyTo(destination);
                break;
            case List<T> list:
                CollectionsMarshal.AsSpan(list).CopyTo(destination);
                break;
            default:
                for (var i = 0; i < destination.Length; i++)
                {
                    destination[i] = source[i];
                }

                break;
        }
    }

    private static void Narrow<TSource, TTarget>(TensorSpec spec, IReadOnlyList<TSource> source, Span<TTarget> destination)
        where TSource : INumberBase<TSource>
        where TTarget : INumberBase<TTarget>
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var value = source[i];
            var narrowed = TTarget.CreateTruncating(value);
            if (TSource.CreateTruncating(narrowed) != value)
            {
                throw InferenceException.InvalidArgument(
                    $"input '{spec.Name}' value {value} at element {i} is out of range for {spec.DatatypeName}");
            }

            destination[i] = narrowed;
        }
    }

    private static string ContentsFieldOf(object values) => values switch
    {
        IReadOnlyList<bool> => "bool_contents",
        IReadOnlyList<int> => "int_contents",
        IReadOnlyList<long> => "int64_contents",
        IReadOnlyList<uint> => "uint_contents",
        IReadOnlyList<ulong> => "uint64_contents",
        IReadOnlyList<float> => "fp32_contents",
        IReadOnlyList<double> => "fp64_contents",
        IReadOnlyList<ReadOnlyMemory<byte>> or IReadOnlyList<byte[]> => "bytes_contents",
        _ => values.GetType().Name,
    };

    /// <summary>
    /// Writes an output as protocol typed contents, widening INT8/INT16 to int and UINT8/UINT16 to uint.
    /// FP16 and BF16 have no typed contents in the protocol; send those outputs raw.
    /// </summary>
    public static void WriteTypedContents(InferenceOutput output, ITypedContentsSink sink)
    {
        if (output.Datatype == TensorDatatype.Bytes)
        {
            for (var i = 0; i < output.ElementCount; i++)
            {
                sink.AddBytes(output.GetBytesElement(i));
            }

            return;
        }

        var raw = output.RawData;
        switch (output.Datatype)
        {
            case TensorDatatype.Bool:
                sink.AddBools(MemoryMarshal.Cast<byte, bool>(raw));
                break;
            case TensorDatatype.Int8:
                Widen<sbyte, int>(MemoryMarshal.Cast<byte, sbyte>(raw), sink, static (s, v) => s.AddInt32s(v));
                break;
            case TensorDatatype.Int16:
                Widen<short, int>(MemoryMarshal.Cast<byte, short>(raw), sink, static (s, v) => s.AddInt32s(v));
                break;
            case TensorDatatype.Int32:
                sink.AddInt32s(MemoryMarshal.Cast<byte, int>(raw));
                break;
            case TensorDatatype.Int64:
                sink.AddInt64s(MemoryMarshal.Cast<byte, long>(raw));
                break;
            case TensorDatatype.UInt8:
                Widen<byte, uint>(raw, sink, static (s, v) => s.AddUInt32s(v));
                break;
            case TensorDatatype.UInt16:
                Widen<ushort, uint>(MemoryMarshal.Cast<byte, ushort>(raw), sink, static (s, v) => s.AddUInt32s(v));
                break;
            case TensorDatatype.UInt32:
                sink.AddUInt32s(MemoryMarshal.Cast<byte, uint>(raw));
                break;
            case TensorDatatype.UInt64:
                sink.AddUInt64s(MemoryMarshal.Cast<byte, ulong>(raw));
                break;
            case TensorDatatype.Fp32:
                sink.AddFloats(MemoryMarshal.Cast<byte, float>(raw));
                break;
            case TensorDatatype.Fp64:
                sink.AddDoubles(MemoryMarshal.Cast<byte, double>(raw));
                break;
            default:
                throw new InvalidOperationException(
                    $"output '{output.Name}' is {output.DatatypeName}, which has no typed contents; encode it raw");
        }
    }

    private static void Widen<TSource, TTarget>(
        ReadOnlySpan<TSource> source,
        ITypedContentsSink sink,
        Action<ITypedContentsSink, ReadOnlySpan<TTarget>> add)
        where TSource : INumberBase<TSource>
        where TTarget : unmanaged, INumberBase<TTarget>
    {
        Span<TTarget> chunk = stackalloc TTarget[ChunkElements];
        while (!source.IsEmpty)
        {
            var length = Math.Min(ChunkElements, source.Length);
            // Widening 8/16-bit integers to int/uint is exact, so the (vectorised) truncating conversion is the right one.
            TensorPrimitives.ConvertTruncating(source[..length], chunk[..length]);
            add(sink, chunk[..length]);
            source = source[length..];
        }
    }

    /// <summary>Bytes the raw encoding of an output takes (BYTES elements carry a 4-byte length each).</summary>
    public static int RawByteLength(InferenceOutput output)
    {
        if (output.Datatype != TensorDatatype.Bytes)
        {
            return output.RawData.Length;
        }

        var total = 0L;
        for (var i = 0; i < output.ElementCount; i++)
        {
            total += BytesLengthPrefix + output.GetBytesElement(i).Length;
        }

        return checked((int)total);
    }

    /// <summary>Writes the raw encoding of an output; <paramref name="destination"/> must hold <see cref="RawByteLength"/> bytes.</summary>
    public static void WriteRaw(InferenceOutput output, Span<byte> destination)
    {
        if (output.Datatype != TensorDatatype.Bytes)
        {
            output.RawData.CopyTo(destination);
            return;
        }

        var offset = 0;
        for (var i = 0; i < output.ElementCount; i++)
        {
            var element = output.GetBytesElement(i);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[offset..], (uint)element.Length);
            offset += BytesLengthPrefix;
            element.CopyTo(destination[offset..]);
            offset += element.Length;
        }
    }
}
