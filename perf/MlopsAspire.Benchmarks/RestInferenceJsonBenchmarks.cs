using System.Buffers;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using MlopsAspire.FraudData;
using MlopsAspire.Inference.Protocol.Rest;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// Reading a KServe v2 JSON inference body (the REST route's request decoding, before the engine): one fraud row
/// and 1,000 fraud rows of FP32 values in a flat <c>data</c> array, as a REST client writes them.
/// </summary>
[MemoryDiagnoser]
public class RestInferenceJsonBenchmarks
{
    private byte[] _body = [];

    [Params(1, 1000)]
    public int Rows { get; set; } = 1;

    [GlobalSetup]
    public void SetUp()
    {
        var random = new Random(7);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("id", "bench");
            writer.WriteStartArray("inputs");
            writer.WriteStartObject();
            writer.WriteString("name", "Features");
            writer.WriteString("datatype", "FP32");
            writer.WriteStartArray("shape");
            writer.WriteNumberValue(Rows);
            writer.WriteNumberValue(FraudFeatures.Count);
            writer.WriteEndArray();
            writer.WriteStartArray("data");
            for (var i = 0; i < Rows * FraudFeatures.Count; i++)
            {
                writer.WriteNumberValue(random.NextSingle() * 100);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        _body = output.WrittenSpan.ToArray();
    }

    [Benchmark(Description = "read request")]
    public int ReadRequest() =>
        RestInferenceJson.ReadRequest(_body, null, "fraud", null).Request.Inputs.Count;
}
