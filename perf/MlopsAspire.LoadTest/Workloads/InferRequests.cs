using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;
using MlopsAspire.FraudData;
using MlopsAspire.Training;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>Requests for the demo models.</summary>
public static class InferRequests
{
    public const string FraudInput = "Features";
    public const string FraudOutput = "Probability.output";
    public const string ResNetInput = "Input247";
    public const string ResNetOutput = "Pooling395_Output_0";
    public const int ResNetChannels = 3;
    public const int ResNetSide = 224;

    private const int DistinctRequests = 64;

    /// <summary>Generated transactions (<see cref="FraudDataGenerator"/>), <paramref name="batchSize"/> rows per request.</summary>
    public static InferRequestSet Fraud(int batchSize, TensorEncoding encoding, string modelName = DemoModels.FraudModelName, int seed = 7)
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = seed }).Generate(DistinctRequests * batchSize).ToList();
        var requests = new List<ModelInferRequest>(DistinctRequests);
        for (var r = 0; r < DistinctRequests; r++)
        {
            var features = rows.Skip(r * batchSize).Take(batchSize).SelectMany(row => row.Features).ToArray();
            requests.Add(Build(modelName, FraudInput, [batchSize, FraudFeatures.Count], features, FraudOutput, encoding, r));
        }

        return new InferRequestSet(requests);
    }

    /// <summary>Seeded random images in [0, 1); content does not change a CNN's cost.</summary>
    public static InferRequestSet ResNet18(int batchSize, TensorEncoding encoding, string modelName = DemoModels.ResNet18ModelName, int seed = 7)
    {
        const int Distinct = 4; // 600 KB each: a few are variety enough
        var random = new Random(seed);
        var requests = new List<ModelInferRequest>(Distinct);
        for (var r = 0; r < Distinct; r++)
        {
            var pixels = new float[batchSize * ResNetChannels * ResNetSide * ResNetSide];
            for (var i = 0; i < pixels.Length; i++)
            {
                pixels[i] = random.NextSingle();
            }

            requests.Add(Build(modelName, ResNetInput, [batchSize, ResNetChannels, ResNetSide, ResNetSide], pixels, ResNetOutput, encoding, r));
        }

        return new InferRequestSet(requests);
    }

    private static ModelInferRequest Build(string modelName, string inputName, long[] shape, float[] values, string outputName, TensorEncoding encoding, int index)
    {
        var input = new ModelInferRequest.Types.InferInputTensor { Name = inputName, Datatype = "FP32" };
        input.Shape.AddRange(shape);
        var request = new ModelInferRequest { ModelName = modelName, Id = $"r{index}" };
        if (encoding == TensorEncoding.Raw)
        {
            request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
        }
        else
        {
            input.Contents = new InferTensorContents();
            input.Contents.Fp32Contents.AddRange(values);
        }

        request.Inputs.Add(input);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = outputName });
        return request;
    }
}
