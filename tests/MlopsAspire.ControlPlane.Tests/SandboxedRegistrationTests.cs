using System.Globalization;
using Grpc.Core;
using Mlops.V1;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>Registration validates uploads in the sandbox, as replicas would load them, and refuses what they could not serve.</summary>
[Collection(RunsAlone.Name)]
public sealed class SandboxedRegistrationTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private const long MaxGrowthBytes = 50L * 1024 * 1024;

    private ModelManagement.ModelManagementClient Operator => host.Client(ControlPlaneHost.OperatorKey);

    [Fact]
    public async Task A_tiny_model_that_asks_for_512_MiB_is_refused_and_the_control_plane_does_not_grow()
    {
        var name = ControlPlaneHost.UniqueModelName("hostile");
        var onnx = TestOnnxModels.ConstantOfShape(512L * 1024 * 1024);
        Assert.True(onnx.Length < 400, $"the hostile model is {onnx.Length} bytes");
        var residentBefore = ResidentMemory.Current();
        ResidentMemory.ResetPeak();

        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(name, onnx).WaitAsync(TimeSpan.FromMinutes(2)));

        var growth = ResidentMemory.Peak() - residentBefore;
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("memory limit of 256 MiB", error.Status.Detail);
        Assert.True(growth < MaxGrowthBytes, $"the control plane grew by {growth.ToString("N0", CultureInfo.InvariantCulture)} bytes while the model was validated");
        await AssertNothingRegisteredAsync(name);
    }

    [Fact]
    public async Task A_model_whose_external_data_sits_in_the_control_planes_folder_is_refused()
    {
        // What once passed: the bytes resolved against the silo's working directory, and no replica could ever load it.
        var name = ControlPlaneHost.UniqueModelName("external");
        var location = $"weights-{Guid.NewGuid():N}.bin";
        var beside = Path.Combine(Environment.CurrentDirectory, location);
        await File.WriteAllBytesAsync(beside, TestOnnxModels.ExternalBiasFile(1f));
        try
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(name, TestOnnxModels.AddExternalBias(location)));

            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Contains($"tensor 'bias' in '{location}'", error.Status.Detail);
            Assert.Contains("nothing was registered", error.Status.Detail);
            await AssertNothingRegisteredAsync(name);
        }
        finally
        {
            File.Delete(beside);
        }
    }

    [Fact]
    public async Task A_serving_configuration_replicas_could_not_read_is_refused_by_field()
    {
        var name = ControlPlaneHost.UniqueModelName("config");
        var onnx = TestOnnxModels.AddBias(7f);
        var metadata = Uploads.Metadata(name, onnx);
        metadata.ServingConfigJson = """{ "max_batch_size": 4, "max_bach_delay": 10 }""";

        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(metadata, onnx));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("unknown field 'max_bach_delay'", error.Status.Detail);
        await AssertNothingRegisteredAsync(name);
    }

    private async Task AssertNothingRegisteredAsync(string name)
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => Operator.GetModelAsync(new GetModelRequest { Name = name }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }
}
