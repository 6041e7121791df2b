using Inference;
using MlopsAspire.FraudData;
using MlopsAspire.Training;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>Inference requests for a model with the fraud demo's contract, as a client sends them.</summary>
internal static class FraudInferRequests
{
    public static ModelInferRequest For(string model, string id, IReadOnlyCollection<FraudTransaction> rows)
    {
        var request = new ModelInferRequest { ModelName = model, Id = id };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = DemoModels.FraudInput,
            Datatype = "FP32",
            Shape = { rows.Count, FraudFeatures.Count },
            Contents = new InferTensorContents { Fp32Contents = { rows.SelectMany(row => row.Features) } },
        });
        return request;
    }
}
