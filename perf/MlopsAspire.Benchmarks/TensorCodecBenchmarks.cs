using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Google.Protobuf.Collections;
using MlopsAspire.Serving;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// Decoding request tensors into ONNX Runtime values and encoding outputs for the wire, for a fraud row
/// (12 floats) and a ResNet image (150,528 floats), raw bytes against typed contents, plus the FP16/BF16
/// conversions typed FP32 contents go through for reduced-precision models (BF16 also against a scalar loop).
/// </summary>
[MemoryDiagnoser]
public class TensorCodecBenchmarks
{
    private OnnxModel _model = null!;
    private InferenceInput[] _rawInputs = null!;
    private InferenceInput[] _typedInputs = null!;
    private InferenceResponse _response = null!;
    private byte[] _rawOutput = null!;
    private RepeatedFieldSink _typedOutput = null!;
    private float[] _values = null!;
    private Half[] _half = null!;
    private ushort[] _bfloat16 = null!;
    private float[] _widened = null!;

    [Params("fraud-row", "resnet-image")]
    public string Tensor { get; set; } = "fraud-row";

    [GlobalSetup]
    public async Task SetUp()
    {
        var modelShape = Tensor == "fraud-row" ? BenchmarkModels.FraudRowShape : BenchmarkModels.ImageShape;
        var shape = BenchmarkModels.OneRow(modelShape);
        _values = BenchmarkModels.RandomValues(shape, seed: 3);
        var typed = new RepeatedField<float>();
        typed.AddRange(_values); // what the protocol's fp32_contents arrives as
        _rawInputs = [new InferenceInput(BenchmarkModels.Input, "FP32", shape, TensorData.Raw(MemoryMarshal.AsBytes(_values.AsSpan()).ToArray()))];
        _typedInputs = [new InferenceInput(BenchmarkModels.Input, "FP32", shape, TensorData.Typed<float>(typed))];

        _model = OnnxModel.Load("identity", "1", BenchmarkModels.Identity(modelShape));
        var repository = new ModelRepository();
        repository.Add(_model);
        repository.SetDefaultVersion("identity", "1");
        _response = await new InferenceEngine(repository).InferAsync(new InferenceRequest { ModelName = "identity", Inputs = _rawInputs });
        _rawOutput = new byte[_response.Outputs[0].RawByteLength];
        _typedOutput = new RepeatedFieldSink(_values.Length);

        _half = new Half[_values.Length];
        _bfloat16 = new ushort[_values.Length];
        _widened = new float[_values.Length];
        ReducedPrecision.ToHalf(_values, _half);
        ReducedPrecision.ToBFloat16(_values, _bfloat16);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _response.Dispose();
        _model.Dispose();
    }

    [Benchmark(Baseline = true, Description = "decode raw")]
    public int DecodeRaw()
    {
        using var prepared = TensorCodec.PrepareInputs(_model, _rawInputs);
        return prepared.Values.Count;
    }

    [Benchmark(Description = "decode typed")]
    public int DecodeTyped()
    {
        using var prepared = TensorCodec.PrepareInputs(_model, _typedInputs);
        return prepared.Values.Count;
    }

    [Benchmark(Description = "encode raw")]
    public int EncodeRaw()
    {
        _response.Outputs[0].WriteRaw(_rawOutput);
        return _rawOutput.Length;
    }

    [Benchmark(Description = "encode typed")]
    public int EncodeTyped()
    {
        _typedOutput.Floats.Clear();
        _response.Outputs[0].WriteTypedContents(_typedOutput);
        return _typedOutput.Floats.Count;
    }

    [Benchmark(Description = "FP32 to FP16")]
    public Half ToHalf()
    {
        ReducedPrecision.ToHalf(_values, _half);
        return _half[^1];
    }

    [Benchmark(Description = "FP16 to FP32")]
    public float FromHalf()
    {
        ReducedPrecision.ToSingle(_half, _widened);
        return _widened[^1];
    }

    [Benchmark(Description = "FP32 to BF16")]
    public ushort ToBFloat16()
    {
        ReducedPrecision.ToBFloat16(_values, _bfloat16);
        return _bfloat16[^1];
    }

    [Benchmark(Description = "BF16 to FP32")]
    public float FromBFloat16()
    {
        ReducedPrecision.ToSingle(_bfloat16, _widened);
        return _widened[^1];
    }

    // Element-at-a-time loops over the scalar definitions: what the vectorised BF16 conversions replace.
    [Benchmark(Description = "FP32 to BF16, scalar loop")]
    public ushort ToBFloat16Scalar()
    {
        for (var i = 0; i < _values.Length; i++)
        {
            _bfloat16[i] = ReducedPrecision.ToBFloat16(_values[i]);
        }

        return _bfloat16[^1];
    }

    [Benchmark(Description = "BF16 to FP32, scalar loop")]
    public float FromBFloat16Scalar()
    {
        for (var i = 0; i < _bfloat16.Length; i++)
        {
            _widened[i] = ReducedPrecision.FromBFloat16(_bfloat16[i]);
        }

        return _widened[^1];
    }

    /// <summary>Collects typed output contents the way the gRPC service fills fp32_contents.</summary>
    private sealed class RepeatedFieldSink(int capacity) : ITypedContentsSink
    {
        public RepeatedField<float> Floats { get; } = new() { Capacity = capacity };

        public void AddFloats(ReadOnlySpan<float> values)
        {
            foreach (var value in values)
            {
                Floats.Add(value);
            }
        }

        public void AddBools(ReadOnlySpan<bool> values) => throw new NotSupportedException();

        public void AddInt32s(ReadOnlySpan<int> values) => throw new NotSupportedException();

        public void AddInt64s(ReadOnlySpan<long> values) => throw new NotSupportedException();

        public void AddUInt32s(ReadOnlySpan<uint> values) => throw new NotSupportedException();

        public void AddUInt64s(ReadOnlySpan<ulong> values) => throw new NotSupportedException();

        public void AddDoubles(ReadOnlySpan<double> values) => throw new NotSupportedException();

        public void AddBytes(ReadOnlySpan<byte> element) => throw new NotSupportedException();
    }
}
