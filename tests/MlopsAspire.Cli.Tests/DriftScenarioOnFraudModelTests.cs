using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Microsoft.AspNetCore.Builder;
using MlopsAspire.Cli.Scenarios;
using MlopsAspire.Training;
using Xunit.Abstractions;

namespace MlopsAspire.Cli.Tests;

/// <summary>
/// <see cref="DriftScenario"/> through a real inference replica serving the demo fraud model (the control plane is the
/// stand-in): the request fits the model, and concept drift shows as AUC collapsing while accuracy only dips. The run
/// moves on a stepped clock, so each bucket holds the requests the schedule puts there, however slow the replica.
/// </summary>
public sealed class DriftScenarioOnFraudModelTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _modelRoot = Directory.CreateTempSubdirectory("mlops-cli-drift-").FullName;
    private readonly StandInDriftPlatform _controlPlane = new();
    private WebApplication? _replica;
    private GrpcChannel? _inference;

    public async Task InitializeAsync()
    {
        var folder = Path.Combine(_modelRoot, DemoModels.FraudModelName, "1");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "model.onnx"), DemoModels.TrainFraud().OnnxModel);
        (_replica, var address) = await LocalInferenceReplica.StartAsync(_modelRoot);
        _inference = GrpcChannel.ForAddress(address);
        await _controlPlane.InitializeAsync();
        await WaitUntilServedAsync(new GRPCInferenceService.GRPCInferenceServiceClient(_inference));
    }

    [Fact]
    public async Task Concept_drift_collapses_auc_of_the_model_that_was_trained_before_it()
    {
        using var controlPlane = GrpcChannel.ForAddress(_controlPlane.Address);
        var options = new DriftScenarioOptions
        {
            RequestsPerSecond = 50,
            RowsPerRequest = 16,
            Warmup = TimeSpan.FromSeconds(1),
            BucketWidth = TimeSpan.FromSeconds(1),
            SteadyDuration = TimeSpan.FromSeconds(5),
            TotalDuration = TimeSpan.FromSeconds(10),
        };

        var result = await SteppedDriftRun.RunAsync(_inference!.CreateCallInvoker(), ServerConnections.WithBearerKey(controlPlane, StandInDriftPlatform.ApiKey), options);
        foreach (var bucket in result.Buckets)
        {
            output.WriteLine($"{bucket.Start.TotalSeconds,4:0}s {bucket.Concept,-8} rows {bucket.Rows,5} accuracy {bucket.Accuracy:0.0000} AUC {bucket.Auc:0.000}");
        }

        output.WriteLine($"pre-drift {result.PreDrift}");

        Assert.Empty(result.ErrorsByStatus);
        Assert.All(result.Buckets.Where(b => b.Rows > 0), bucket => Assert.Equal(["1"], bucket.Versions.Keys));
        Assert.True(result.PreDrift.Rows >= 1_000, $"{result.PreDrift}");
        Assert.InRange(result.PreDriftAccuracy, 0.95, 1.0);
        Assert.InRange(result.PreDrift.Auc, 0.9, 1.0);

        var drifted = result.Buckets.Where(b => b.Concept == "drifted" && !double.IsNaN(b.Auc)).ToList();
        Assert.True(drifted.Count >= 3, $"{drifted.Count} drifted buckets");
        Assert.InRange(drifted.Average(b => b.Auc), 0.0, 0.75);
        Assert.True(result.PreDriftAccuracy - drifted.Average(b => b.Accuracy) < 0.1, "accuracy should only dip: the classes stay 97:3");
        Assert.Null(result.NewProductionVersion);
        Assert.False(result.Recovered);
    }

    public async Task DisposeAsync()
    {
        _inference?.Dispose();
        await _controlPlane.DisposeAsync();
        if (_replica is not null)
        {
            await _replica.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _replica.DisposeAsync();
        }

        try
        {
            Directory.Delete(_modelRoot, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>The replica loads its folder in the background; wait until it knows the model.</summary>
    private static async Task WaitUntilServedAsync(GRPCInferenceService.GRPCInferenceServiceClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                if ((await client.ModelReadyAsync(new ModelReadyRequest { Name = DemoModels.FraudModelName })).Ready)
                {
                    return;
                }
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unavailable)
            {
                // Not loaded yet.
            }

            Assert.True(DateTime.UtcNow < deadline, "the replica did not load the fraud model");
            await Task.Delay(200);
        }
    }
}
