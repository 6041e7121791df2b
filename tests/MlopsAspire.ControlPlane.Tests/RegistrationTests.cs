using System.Security.Cryptography;
using Grpc.Core;
using Mlops.V1;

namespace MlopsAspire.ControlPlane.Tests;

public sealed class RegistrationTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>
{
    private ModelManagement.ModelManagementClient Operator => host.Client(ControlPlaneHost.OperatorKey);

    [Fact]
    public async Task A_valid_ONNX_upload_is_stored_validated_and_ready()
    {
        var name = ControlPlaneHost.UniqueModelName();
        var onnx = TestOnnxModels.AddBias(1f);

        var response = await Operator.RegisterAsync(name, onnx);

        Assert.True(response.Created);
        var version = response.Version;
        Assert.Equal(("1", ModelVersionState.Ready), (version.Version, version.State));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(onnx)), version.ArtifactSha256);
        Assert.Equal(onnx.Length, version.ArtifactSize);
        Assert.Equal("ml-team", version.Owner);
        Assert.Equal("olly-operator", version.RegisteredBy);
        Assert.True(version.Validation.Passed);
        Assert.Contains(1, version.Validation.LatencyMsByBatchSize.Keys);
        var input = Assert.Single(version.Signature.Inputs);
        Assert.Equal(("x", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, TestOnnxModels.Features], input.Shape);
        Assert.Equal(onnx, await host.Artifacts.ReadAllAsync(version.ArtifactSha256));

        var audit = await Operator.GetAuditLogAsync(new GetAuditLogRequest { Name = name });
        Assert.Equal(["register", "validating", "validate"], audit.Events.Select(e => e.Action));
        Assert.All(audit.Events, e => Assert.Equal("olly-operator", e.Actor));

        var again = await Operator.RegisterAsync(name, onnx);
        Assert.False(again.Created);
        Assert.Equal("1", again.Version.Version);
    }

    [Fact]
    public async Task A_config_document_is_checked_against_the_artifact_stored_and_read_back_with_what_monitoring_can_do()
    {
        var name = ControlPlaneHost.UniqueModelName();
        var onnx = TestOnnxModels.AddBias(21f);
        const string config = """
            { "max_batch_size": 32, "task": "regression",
              "inputs": { "x": { "features": ["a", "b", "c", "d"], "ranges": { "a": [0, 10] } } },
              "outputs": { "score": { "name": "y", "column": 0 } } }
            """;
        var metadata = Uploads.Metadata(name, onnx);
        metadata.ServingConfigJson = config;

        var version = (await Operator.RegisterAsync(metadata, onnx)).Version;

        Assert.Equal(ModelVersionState.Ready, version.State);
        Assert.Equal(config, version.ServingConfigJson);
        Assert.Equal("regression", version.Task);
        Assert.Equal(["retraining needs a 'training' section"], version.MonitoringLimitations);
        var read = await Operator.GetVersionAsync(new GetVersionRequest { Name = name, Version = version.Version });
        Assert.Equal(("regression", config), (read.Task, read.ServingConfigJson));

        // Without a config the platform says what it cannot do, and which key would make it possible.
        var bare = (await Operator.RegisterAsync(ControlPlaneHost.UniqueModelName(), TestOnnxModels.AddBias(22f))).Version;
        Assert.Empty(bare.Task);
        Assert.Contains("drift names features by position (x[0], x[1], …): name them in 'inputs.x.features'", bare.MonitoringLimitations);
        Assert.Contains(bare.MonitoringLimitations, limitation => limitation.StartsWith("live metrics need 'task'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "task": "regression", "outputs": { "scores": "y" } }""", "unknown field 'outputs.scores'; allowed fields of 'outputs' are score, label, classes")]
    [InlineData("""{ "max_batch_sise": 8 }""", "unknown field 'max_batch_sise'")]
    [InlineData("""{ "task": "regression", "outputs": { "score": "p" } }""", "'outputs.score' names output 'p', which the model does not have; its outputs are y FP32 [-1, 4]")]
    [InlineData("""{ "inputs": { "x": { "features": ["a", "b"] } } }""", "'inputs.x.features' names 2 columns, but x FP32 [-1, 4] has 4 per row")]
    [InlineData("""{ "task": "regression", "outputs": { "score": "y" } }""", "say which column is the score")]
    [InlineData("""not json""", "not valid JSON")]
    public async Task A_config_that_is_not_one_or_does_not_fit_the_model_is_refused_by_key_and_nothing_is_registered(string config, string expected)
    {
        var name = ControlPlaneHost.UniqueModelName();
        var onnx = TestOnnxModels.AddBias(23f);
        var metadata = Uploads.Metadata(name, onnx);
        metadata.ServingConfigJson = config;

        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(metadata, onnx));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("The config is refused: config: ", error.Status.Detail);
        Assert.Contains(expected, error.Status.Detail);
        Assert.EndsWith("Nothing was registered.", error.Status.Detail);
        await AssertNothingRegisteredAsync(name, onnx);
    }

    [Fact]
    public async Task A_wrong_hash_is_rejected_and_nothing_is_registered()
    {
        var name = ControlPlaneHost.UniqueModelName();
        var onnx = TestOnnxModels.AddBias(2f);
        var declared = new string('a', 64);

        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(Uploads.Metadata(name, onnx, sha256: declared), onnx));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(declared, error.Status.Detail);
        await AssertNothingRegisteredAsync(name, onnx);
    }

    [Fact]
    public async Task A_truncated_upload_is_rejected_and_nothing_is_registered()
    {
        var name = ControlPlaneHost.UniqueModelName();
        var onnx = TestOnnxModels.AddBias(3f);

        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(Uploads.Metadata(name, onnx), onnx[..^10]));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("truncated", error.Status.Detail);
        Assert.Contains($"{onnx.Length - 10} of the declared {onnx.Length} bytes", error.Status.Detail);
        await AssertNothingRegisteredAsync(name, onnx);
    }

    [Fact]
    public async Task Bytes_that_are_not_ONNX_are_rejected_with_the_reason_and_nothing_is_registered()
    {
        var name = ControlPlaneHost.UniqueModelName();
        var notOnnx = "this is a CSV file, not a model\n1,2,3\n"u8.ToArray();

        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(name, notOnnx));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not a model ONNX Runtime can load", error.Status.Detail);
        await AssertNothingRegisteredAsync(name, notOnnx);
    }

    [Fact]
    public async Task An_artifact_over_the_size_limit_is_refused_naming_the_limit()
    {
        var name = ControlPlaneHost.UniqueModelName();
        var large = new byte[ControlPlaneHost.MaxArtifactBytes + 1];

        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(name, large));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains(ControlPlaneHost.MaxArtifactBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Status.Detail);

        // Declaring a small size and sending more is caught too.
        var onnx = TestOnnxModels.AddBias(4f);
        var overrun = await Assert.ThrowsAsync<RpcException>(() =>
            Operator.RegisterAsync(Uploads.Metadata(name, onnx, size: 100), onnx));
        Assert.Equal(StatusCode.InvalidArgument, overrun.StatusCode);
        Assert.Contains("more than the declared size of 100 bytes", overrun.Status.Detail);
        await AssertNothingRegisteredAsync(name, onnx);
    }

    [Fact]
    public async Task A_declared_signature_must_match_the_artifact()
    {
        var name = ControlPlaneHost.UniqueModelName();
        var onnx = TestOnnxModels.AddBias(5f);
        var metadata = Uploads.Metadata(name, onnx);
        metadata.DeclaredSignature = new Mlops.V1.ModelSignature
        {
            Inputs = { new TensorSignature { Name = "Features", Datatype = "FP32", Shape = { -1, 12 } } },
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(metadata, onnx));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("Features FP32 [-1,12]", error.Status.Detail);
        Assert.Contains("x FP32 [-1,4]", error.Status.Detail);
        await AssertNothingRegisteredAsync(name, onnx);
    }

    [Fact]
    public async Task Lineage_names_an_existing_parent_version()
    {
        var name = ControlPlaneHost.UniqueModelName();
        await Operator.RegisterAsync(name, TestOnnxModels.AddBias(6f));
        var child = TestOnnxModels.AddBias(7f);
        var metadata = Uploads.Metadata(name, child);
        metadata.Lineage = new Lineage
        {
            ParentVersion = "1",
            TrainingData = new TrainingDataWindow
            {
                From = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
                To = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero)),
            },
        };
        metadata.OfflineMetrics.Add("auc", 0.93);

        var registered = await Operator.RegisterAsync(metadata, child);

        var version = await Operator.GetVersionAsync(new GetVersionRequest { Name = name, Version = registered.Version.Version });
        Assert.Equal("1", version.Lineage.ParentVersion);
        Assert.Equal(2026, version.Lineage.TrainingData.To.ToDateTimeOffset().Year);
        Assert.False(version.Lineage.HasReferenceProfile);
        Assert.Equal(0.93, version.OfflineMetrics["auc"]);

        var orphan = Uploads.Metadata(name, TestOnnxModels.AddBias(8f));
        orphan.Lineage = new Lineage { ParentVersion = "42" };
        var error = await Assert.ThrowsAsync<RpcException>(() => Operator.RegisterAsync(orphan, TestOnnxModels.AddBias(8f)));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("'42'", error.Status.Detail);
    }

    private async Task AssertNothingRegisteredAsync(string name, byte[] content)
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => Operator.GetModelAsync(new GetModelRequest { Name = name }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Null(await host.Artifacts.GetDescriptorAsync(Convert.ToHexStringLower(SHA256.HashData(content))));
    }
}
