using Aspire.Hosting.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Mlops.V1;
using MlopsAspire.FraudData;
using MlopsAspire.Training;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>What an application sees when it calls the platform started by the AppHost (the fault drills' cluster).</summary>
[Collection(ClusterPlatformCollection.Name)]
public sealed class InferenceEndToEndTests(ClusterPlatformFixture platform)
{
    private static readonly Lazy<FraudDemoModel> ReferenceFraudModel = new(() => DemoModels.TrainFraud(seed: 42));

    private GRPCInferenceService.GRPCInferenceServiceClient Client => platform.Inference;

    [Fact]
    public async Task Server_is_live_and_ready_with_both_demo_models()
    {
        Assert.True((await Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await Client.ModelReadyAsync(new ModelReadyRequest { Name = DemoModels.FraudModelName })).Ready);
        Assert.True((await Client.ModelReadyAsync(new ModelReadyRequest { Name = DemoModels.ResNet18ModelName })).Ready);

        var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = DemoModels.FraudModelName });
        var input = Assert.Single(metadata.Inputs);
        Assert.Equal("Features", input.Name);
        Assert.Equal("FP32", input.Datatype);
        Assert.Equal([-1L, FraudFeatures.Count], input.Shape);
        Assert.Contains(metadata.Outputs, output => output.Name == "Probability.output");
    }

    [Fact]
    public async Task Fraud_probability_matches_the_MLNET_prediction_for_the_same_rows()
    {
        var rows = new FraudDataGenerator(new FraudDataOptions { Seed = 7 }).Generate(16).ToArray();
        var request = FraudRequest(rows.Select(r => r.Features).ToArray());
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "Probability.output" });

        var response = await Client.ModelInferAsync(request);

        Assert.Equal(DemoModels.FraudModelName, response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal(request.Id, response.Id);
        var output = Assert.Single(response.Outputs);
        Assert.Equal("Probability.output", output.Name);
        var probabilities = output.Contents.Fp32Contents;
        Assert.Equal(rows.Length, probabilities.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(ReferenceFraudModel.Value.PredictProbability(rows[i].Features), probabilities[i], 1e-5f);
        }
    }

    [Fact]
    public async Task Raw_contents_in_give_raw_contents_out()
    {
        var row = new FraudDataGenerator(new FraudDataOptions { Seed = 11 }).Generate(1).Single();
        var request = new ModelInferRequest { ModelName = DemoModels.FraudModelName, Id = "raw-1" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "Features", Datatype = "FP32", Shape = { 1, FraudFeatures.Count } });
        request.RawInputContents.Add(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.Features.AsSpan())));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "Probability.output" });

        var response = await Client.ModelInferAsync(request);

        var raw = Assert.Single(response.RawOutputContents);
        var probability = BitConverter.ToSingle(raw.Span);
        Assert.Equal(ReferenceFraudModel.Value.PredictProbability(row.Features), probability, 1e-5f);
    }

    [Fact]
    public async Task Fraud_replicas_are_listed_at_their_own_addresses_and_each_answers_there_without_the_proxy()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.ReaderKey));
        var proxy = platform.App.GetEndpoint("inference", "grpc");

        // Every replica reports when it starts; a replica killed by a drill is listed until its reports lapse.
        var endpoints = await Eventually.Async(
            async () =>
            {
                var listed = await management.ListEndpointsAsync(new ListEndpointsRequest { Name = DemoModels.FraudModelName });
                return listed.Endpoints.Select(endpoint => endpoint.GrpcAddress).Distinct(StringComparer.Ordinal).Count() == platform.Scale.Replicas ? listed : null;
            },
            TimeSpan.FromMinutes(3));

        Assert.Equal("1", endpoints.Version);
        var addresses = endpoints.Endpoints.Select(endpoint => new Uri(endpoint.GrpcAddress)).ToList();
        Assert.DoesNotContain(addresses, address => address.Port == proxy.Port);
        var row = new FraudDataGenerator(new FraudDataOptions { Seed = 5 }).Generate(1).Single();
        var expected = ReferenceFraudModel.Value.PredictProbability(row.Features);
        foreach (var address in addresses)
        {
            using var channel = GrpcChannel.ForAddress(address);
            var request = FraudRequest([row.Features]);
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "Probability.output" });

            var response = await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(request);

            Assert.Equal("1", response.ModelVersion);
            Assert.Equal(expected, Assert.Single(Assert.Single(response.Outputs).Contents.Fp32Contents), 1e-5f);
        }
    }

    [Fact]
    public async Task Resnet18_embeds_a_batch_of_images()
    {
        const int batch = 2;
        var pixels = new float[batch * 3 * 224 * 224];
        var random = new Random(3);
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        var request = new ModelInferRequest { ModelName = DemoModels.ResNet18ModelName };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "Input247", Datatype = "FP32", Shape = { batch, 3, 224, 224 } });
        request.RawInputContents.Add(ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan())));

        var response = await Client.ModelInferAsync(request);

        var output = Assert.Single(response.Outputs);
        Assert.Equal([batch, 512L, 1, 1], output.Shape);
        Assert.Equal(batch * 512 * sizeof(float), Assert.Single(response.RawOutputContents).Length);
    }

    [Fact]
    public async Task Unknown_model_is_NotFound_naming_it()
    {
        var request = FraudRequest([new float[FraudFeatures.Count]]);
        request.ModelName = "no-such-model";

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("no-such-model", error.Status.Detail);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("shape")]
    [InlineData("datatype")]
    [InlineData("raw-length")]
    public async Task Malformed_input_is_InvalidArgument_stating_what_was_expected(string fault)
    {
        var request = FraudRequest([new float[FraudFeatures.Count]]);
        var input = request.Inputs[0];
        string expected;
        switch (fault)
        {
            case "name":
                input.Name = "features_typo";
                expected = "Features";
                break;
            case "shape":
                input.Shape[1] = FraudFeatures.Count + 1;
                input.Contents.Fp32Contents.Add(0f);
                expected = FraudFeatures.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "datatype":
                input.Datatype = "FP64";
                input.Contents = new InferTensorContents { Fp64Contents = { new double[FraudFeatures.Count] } };
                expected = "FP32";
                break;
            default:
                input.Contents = null;
                request.RawInputContents.Add(ByteString.CopyFrom(new byte[(FraudFeatures.Count * sizeof(float)) - 3]));
                expected = (FraudFeatures.Count * sizeof(float)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => Client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(expected, error.Status.Detail);

        // The replica that refused the request still serves good ones.
        var healthy = await Client.ModelInferAsync(FraudRequest([new float[FraudFeatures.Count]]));
        Assert.Single(healthy.Outputs, o => o.Name == "Probability.output");
    }

    private static ModelInferRequest FraudRequest(float[][] rows)
    {
        var input = new ModelInferRequest.Types.InferInputTensor
        {
            Name = "Features",
            Datatype = "FP32",
            Shape = { rows.Length, FraudFeatures.Count },
            Contents = new InferTensorContents(),
        };
        foreach (var row in rows)
        {
            input.Contents.Fp32Contents.Add(row);
        }

        var request = new ModelInferRequest { ModelName = DemoModels.FraudModelName, Id = Guid.NewGuid().ToString("N") };
        request.Inputs.Add(input);
        return request;
    }
}
