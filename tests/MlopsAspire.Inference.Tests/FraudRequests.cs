using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;
using MlopsAspire.FraudData;

namespace MlopsAspire.Inference.Tests;

/// <summary>Builds protocol requests for the fraud model the way a client would.</summary>
internal static class FraudRequests
{
    public const string Input = "Features";
    public const string Probability = "Probability.output";
    public const string Score = "Score.output";

    public static IReadOnlyList<FraudTransaction> Rows(int count, int seed = 11) =>
        new FraudDataGenerator(new FraudDataOptions { Seed = seed }).Generate(count).ToList();

    public static ModelInferRequest Typed(IReadOnlyList<FraudTransaction> rows, params string[] outputs)
    {
        var input = Tensor(Input, "FP32", rows.Count, FraudFeatures.Count);
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange(rows.SelectMany(row => row.Features));
        return Request(input, outputs);
    }

    public static ModelInferRequest Raw(IReadOnlyList<FraudTransaction> rows, params string[] outputs)
    {
        var features = rows.SelectMany(row => row.Features).ToArray();
        var request = Request(Tensor(Input, "FP32", rows.Count, FraudFeatures.Count), outputs);
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(features.AsSpan())));
        return request;
    }

    public static ModelInferRequest.Types.InferInputTensor Tensor(string name, string datatype, params long[] shape)
    {
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        tensor.Shape.AddRange(shape);
        return tensor;
    }

    public static ModelInferRequest Request(ModelInferRequest.Types.InferInputTensor input, params string[] outputs)
    {
        var request = new ModelInferRequest { ModelName = "fraud" };
        request.Inputs.Add(input);
        foreach (var output in outputs)
        {
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
        }

        return request;
    }

    public static float[] RawFloats(ModelInferResponse response, int outputIndex) =>
        MemoryMarshal.Cast<byte, float>(response.RawOutputContents[outputIndex].Span).ToArray();
}
