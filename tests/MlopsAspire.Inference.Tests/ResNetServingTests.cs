using System.Runtime.InteropServices;
using Google.Protobuf;
using Inference;

namespace MlopsAspire.Inference.Tests;

public sealed class ResNetServingTests(ResNetServerFixture server) : IClassFixture<ResNetServerFixture>
{
    [Fact]
    public async Task Batch_of_two_images_returns_two_feature_vectors()
    {
        var random = new Random(3);
        var pixels = new float[2 * 3 * 224 * 224];
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        var request = new ModelInferRequest { ModelName = "resnet18" };
        request.Inputs.Add(FraudRequests.Tensor("Input247", "FP32", 2, 3, 224, 224));
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(pixels.AsSpan())));

        var response = await server.Client.ModelInferAsync(request);

        var output = Assert.Single(response.Outputs);
        Assert.Equal("Pooling395_Output_0", output.Name);
        Assert.Equal([2L, 512, 1, 1], output.Shape);
        var features = MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span);
        Assert.Equal(2 * 512, features.Length);
        Assert.All(features.ToArray(), value => Assert.True(float.IsFinite(value)));
    }
}
