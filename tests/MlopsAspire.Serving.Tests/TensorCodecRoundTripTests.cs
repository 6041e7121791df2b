namespace MlopsAspire.Serving.Tests;

public sealed class TensorCodecRoundTripTests
{
    private static readonly long[] SampleShape = [2, 3];

    [Theory]
    [MemberData(nameof(DatatypeSamples.NumericDatatypes), MemberType = typeof(DatatypeSamples))]
    public async Task Typed_contents_come_back_unchanged(TensorDatatype datatype)
    {
        var (typed, raw, contentsKind) = DatatypeSamples.For(datatype);
        var engine = EngineWithIdentity(datatype);

        using var response = await engine.InferAsync(Request(datatype, TypedData(typed)));

        var output = Assert.Single(response.Outputs);
        Assert.Equal("y", output.Name);
        Assert.Equal(datatype, output.Datatype);
        Assert.Equal(SampleShape, output.Shape);
        Assert.Equal(raw, output.RawData.ToArray());
        Assert.Equal(datatype.HasTypedContents(), output.HasTypedContents);
        if (output.HasTypedContents)
        {
            var sink = new RecordingContentsSink();
            output.WriteTypedContents(sink);
            Assert.Equal(contentsKind, sink.Kind);
            Assert.Equal(((System.Collections.IEnumerable)typed).Cast<object>(), sink.Values);
        }
    }

    [Theory]
    [MemberData(nameof(DatatypeSamples.NumericDatatypes), MemberType = typeof(DatatypeSamples))]
    public async Task Raw_contents_come_back_byte_for_byte(TensorDatatype datatype)
    {
        var (_, raw, _) = DatatypeSamples.For(datatype);
        var engine = EngineWithIdentity(datatype);

        using var response = await engine.InferAsync(Request(datatype, TensorData.Raw(raw)));

        var output = Assert.Single(response.Outputs);
        var encoded = new byte[output.RawByteLength];
        output.WriteRaw(encoded);
        Assert.Equal(raw, encoded);
    }

    [Theory]
    [InlineData(TensorDatatype.Int8)]
    [InlineData(TensorDatatype.Int16)]
    [InlineData(TensorDatatype.UInt8)]
    [InlineData(TensorDatatype.UInt16)]
    public async Task Small_integer_outputs_widen_exactly_in_long_tensors(TensorDatatype datatype)
    {
        // 700 rows × 3: several conversion chunks, vector bodies and a tail, every value of 8-bit types.
        const int Rows = 700;
        var elementSize = datatype.ElementSize();
        var raw = new byte[Rows * 3 * elementSize];
        new Random(5).NextBytes(raw);
        var engine = EngineWithIdentity(datatype);

        using var response = await engine.InferAsync(new InferenceRequest
        {
            ModelName = "identity",
            Inputs = [new InferenceInput("x", datatype.ToWireName(), [Rows, 3], TensorData.Raw(raw))],
        });
        var sink = new RecordingContentsSink();
        response.Outputs[0].WriteTypedContents(sink);

        object[] expected = datatype switch
        {
            TensorDatatype.Int8 => [.. raw.Select(b => (object)(int)(sbyte)b)],
            TensorDatatype.Int16 => [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(raw).ToArray().Select(v => (object)(int)v)],
            TensorDatatype.UInt8 => [.. raw.Select(b => (object)(uint)b)],
            _ => [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(raw).ToArray().Select(v => (object)(uint)v)],
        };
        Assert.Equal(expected, sink.Values);
    }

    [Fact]
    public async Task Typed_contents_too_large_for_a_pooled_buffer_come_back_unchanged()
    {
        // 2.4 MB of FP32: a buffer allocated for the request alone rather than taken from the shared pool.
        const int Rows = 200_000;
        var values = new float[Rows * 3];
        var random = new Random(6);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle();
        }

        var engine = EngineWithIdentity(TensorDatatype.Fp32);

        using var response = await engine.InferAsync(new InferenceRequest
        {
            ModelName = "identity",
            Inputs = [new InferenceInput("x", "FP32", [Rows, 3], TensorData.Typed(values))],
        });

        Assert.Equal(values, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(response.Outputs[0].RawData).ToArray());
    }

    [Fact]
    public async Task Bytes_elements_round_trip_typed_and_raw_including_non_utf8()
    {
        var engine = EngineWithIdentity(TensorDatatype.Bytes);
        var elements = DatatypeSamples.BytesElements;
        var expectedHex = elements.Select(Convert.ToHexString).Cast<object>().ToList();
        var rawRequest = DatatypeSamples.EncodeRawBytes(elements);

        using (var typedResponse = await engine.InferAsync(Request(TensorDatatype.Bytes, TensorData.Typed<byte[]>(elements))))
        {
            var sink = new RecordingContentsSink();
            typedResponse.Outputs[0].WriteTypedContents(sink);
            Assert.Equal(expectedHex, sink.Values);
        }

        using var rawResponse = await engine.InferAsync(Request(TensorDatatype.Bytes, TensorData.Raw(rawRequest)));
        var output = rawResponse.Outputs[0];
        var encoded = new byte[output.RawByteLength];
        output.WriteRaw(encoded);
        Assert.Equal(rawRequest, encoded);
    }

    [Fact]
    public async Task Fp16_outputs_read_back_as_half_and_convert_to_single()
    {
        var (typed, _, _) = DatatypeSamples.For(TensorDatatype.Fp16);
        var engine = EngineWithIdentity(TensorDatatype.Fp16);

        using var response = await engine.InferAsync(Request(TensorDatatype.Fp16, TypedData(typed)));

        var halves = response.Outputs[0].GetValues<Half>();
        var singles = new float[halves.Length];
        ReducedPrecision.ToSingle(halves, singles);
        Assert.Equal((float[])typed, singles);
    }

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(-2.5f, -2.5f)]
    [InlineData(1.00390625f, 1f)] // halfway between 1 and the next bfloat16: ties to even
    [InlineData(1.01171875f, 1.015625f)] // halfway, odd neighbour below: rounds up
    public void Bfloat16_rounds_to_nearest_even(float value, float expected)
    {
        Assert.Equal(expected, ReducedPrecision.FromBFloat16(ReducedPrecision.ToBFloat16(value)));
    }

    [Fact]
    public void Bfloat16_keeps_nan_and_infinity()
    {
        Assert.True(float.IsNaN(ReducedPrecision.FromBFloat16(ReducedPrecision.ToBFloat16(float.NaN))));
        Assert.Equal(float.PositiveInfinity, ReducedPrecision.FromBFloat16(ReducedPrecision.ToBFloat16(float.PositiveInfinity)));
    }

    [Fact]
    public void Wire_names_parse_back_to_the_same_datatype_and_map_to_onnx_and_back()
    {
        foreach (var datatype in Enum.GetValues<TensorDatatype>())
        {
            Assert.True(TensorDatatypes.TryParse(datatype.ToWireName(), out var parsed));
            Assert.Equal(datatype, parsed);
            Assert.True(TensorDatatypes.TryFromOnnx(datatype.ToOnnx(), out var fromOnnx));
            Assert.Equal(datatype, fromOnnx);
        }

        Assert.False(TensorDatatypes.TryParse("fp32", out _));
        Assert.False(TensorDatatypes.TryParse("FLOAT", out _));
    }

    private static TensorData TypedData(object typed) => typed switch
    {
        bool[] values => TensorData.Typed(values),
        int[] values => TensorData.Typed(values),
        long[] values => TensorData.Typed(values),
        uint[] values => TensorData.Typed(values),
        ulong[] values => TensorData.Typed(values),
        float[] values => TensorData.Typed(values),
        double[] values => TensorData.Typed(values),
        _ => throw new ArgumentOutOfRangeException(nameof(typed)),
    };

    private static InferenceEngine EngineWithIdentity(TensorDatatype datatype)
    {
        var repository = new ModelRepository();
        repository.Add(OnnxModel.Load("identity", "1", TestModels.Identity(datatype, -1, 3)));
        repository.SetDefaultVersion("identity", "1");
        return new InferenceEngine(repository);
    }

    private static InferenceRequest Request(TensorDatatype datatype, TensorData data) => new()
    {
        ModelName = "identity",
        Inputs = [new InferenceInput("x", datatype.ToWireName(), SampleShape, data)],
    };
}
