using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mlops.V1;
using AuditEvent = MlopsAspire.Abstractions.AuditEvent;
using MlopsAspire.Abstractions;
using MlopsAspire.FraudData;
using MlopsAspire.Training;
using Orleans.Configuration;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Stopping and starting the whole platform on the same data folder loses nothing: models, their audit trail, the
/// statistics and reference profile monitoring built from production traffic, live accuracy from feedback, promotion
/// and retraining policies, and retraining runs all answer as they did.
/// </summary>
public sealed class PersistenceEndToEndTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mlops-e2e-restart-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_restart_keeps_models_monitoring_policies_retraining_and_the_audit_trail()
    {
        Platform before;
        IReadOnlyList<AuditEvent> auditBefore;
        await using (var first = await PlatformFixture.StartAsync(_dataDirectory))
        {
            auditBefore = await ReadFraudAuditAsync(first);
            Assert.Contains(auditBefore, e => e.Action == "promote" && e.Version == "1");

            var management = new ModelManagement.ModelManagementClient(ControlPlane(first));
            var monitoring = new ModelMonitoring.ModelMonitoringClient(ControlPlane(first));

            // Traffic with ids (statistics windows, logged payloads), labels for it, policies, and a retraining run.
            using var channel = PlatformFixture.CreateInferenceChannel(first);
            var inference = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            // 120 requests of 20 rows: more than the 2,000 rows the monitor profiles production from.
            var generator = new FraudDataGenerator(new FraudDataOptions { Seed = 3 });
            var requests = Enumerable.Range(0, 120).Select(_ => generator.Generate(20).ToArray()).ToArray();
            for (var i = 0; i < requests.Length; i++)
            {
                await inference.ModelInferAsync(FraudRequest($"restart-{i}", requests[i]));
            }

            // Labels once the profile exists: building it starts the statistics afresh.
            var statsRequest = new GetStatsRequest { ModelName = DemoModels.FraudModelName, Span = Duration.FromTimeSpan(TimeSpan.FromHours(1)) };
            await EventuallyAsync(async () => (await monitoring.GetStatsAsync(statsRequest)).Versions.Single().HasReferenceProfile);
            var feedback = new FeedbackRequest { ModelName = DemoModels.FraudModelName, BatchId = "restart-labels" };
            feedback.Items.AddRange(requests.Select((rows, i) => new FeedbackItem { RequestId = $"restart-{i}", Labels = { rows.Select(row => row.IsFraud ? 1f : 0f) } }));
            Assert.True((await monitoring.SendFeedbackAsync(feedback)).Joined > 0);
            await monitoring.SetPromotionPolicyAsync(new SetPromotionPolicyRequest
            {
                ModelName = DemoModels.FraudModelName,
                Policy = new PromotionPolicy { MinimumRows = 1234, MinimumShadowAgreement = 0.97, EvaluationSpan = Duration.FromTimeSpan(TimeSpan.FromMinutes(20)) },
            });
            await management.SetRetrainingPolicyAsync(new SetRetrainingPolicyRequest
            {
                Name = DemoModels.FraudModelName,
                Policy = new RetrainingPolicy
                {
                    Enabled = true,
                    OnAccuracyAlert = true,
                    Cooldown = Duration.FromTimeSpan(TimeSpan.FromMinutes(45)),
                    DataWindow = Duration.FromTimeSpan(TimeSpan.FromHours(3)),
                    MinimumRows = 5000,
                    LabelWait = Duration.FromTimeSpan(TimeSpan.Zero),
                    ShadowSampleRate = 0.5,
                },
            });
            var run = await management.RequestRetrainingAsync(new RequestRetrainingRequest { Name = DemoModels.FraudModelName, Reason = "before the restart" });
            await EventuallyAsync(async () => (await management.GetRetrainingAsync(new GetRetrainingRequest { Name = DemoModels.FraudModelName }))
                .Runs.Any(r => r.RunId == run.RunId && r.Status is "failed" or "succeeded"));

            before = await ReadAsync(first, fraud => fraud.LabelledRows > 0);
            await first.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }

        await using var second = await PlatformFixture.StartAsync(_dataDirectory);
        var after = await ReadAsync(second, _ => true);

        // The seeded model was recovered, not registered again: same events with the same timestamps.
        Assert.Equal(auditBefore, (await ReadFraudAuditAsync(second)).Take(auditBefore.Count));
        using var restartedChannel = PlatformFixture.CreateInferenceChannel(second);
        var metadata = await new GRPCInferenceService.GRPCInferenceServiceClient(restartedChannel).ModelMetadataAsync(new ModelMetadataRequest { Name = DemoModels.FraudModelName });
        Assert.Equal(["1"], metadata.Versions);
        Assert.True(before.Stats.Versions.Single().HasReferenceProfile);

        var (fraudBefore, fraudAfter) = (before.Stats.Versions.Single(), after.Stats.Versions.Single());
        Assert.Empty(fraudAfter.Unavailable);
        Assert.True(fraudAfter.HasReferenceProfile);
        Assert.Equal(fraudBefore.Requests, fraudAfter.Requests);
        Assert.Equal(fraudBefore.LabelledRows, fraudAfter.LabelledRows);
        Assert.Equal(fraudBefore.Accuracy, fraudAfter.Accuracy);
        Assert.Equal(before.Gates.Policy, after.Gates.Policy);
        Assert.Equal(before.Retraining.Policy, after.Retraining.Policy);
        Assert.Equal(before.Retraining.Runs, after.Retraining.Runs);
        Assert.Equal(before.Audit.Events, after.Audit.Events);
    }

    private sealed record Platform(ModelStats Stats, GateReports Gates, RetrainingStatus Retraining, AuditLog Audit);

    /// <summary>Everything an operator reads about fraud, once its statistics are <paramref name="counted"/>.</summary>
    private static async Task<Platform> ReadAsync(DistributedApplication app, Func<VersionStats, bool> counted)
    {
        var management = new ModelManagement.ModelManagementClient(ControlPlane(app));
        var monitoring = new ModelMonitoring.ModelMonitoringClient(ControlPlane(app));
        var statsRequest = new GetStatsRequest { ModelName = DemoModels.FraudModelName, Span = Duration.FromTimeSpan(TimeSpan.FromHours(1)) };
        ModelStats? stats = null;
        await EventuallyAsync(async () => counted((stats = await monitoring.GetStatsAsync(statsRequest)).Versions.Single()));
        return new Platform(
            stats!,
            await monitoring.GetGatesAsync(new GetGatesRequest { ModelName = DemoModels.FraudModelName }),
            await management.GetRetrainingAsync(new GetRetrainingRequest { Name = DemoModels.FraudModelName }),
            await management.GetAuditLogAsync(new GetAuditLogRequest { Name = DemoModels.FraudModelName }));
    }

    private static CallInvoker ControlPlane(DistributedApplication app) =>
        GrpcChannel.ForAddress(app.GetEndpoint("control-plane", "grpc")).CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {PlatformFixture.OperatorKey}");
            return metadata;
        });

    private static ModelInferRequest FraudRequest(string id, FraudTransaction[] rows)
    {
        var request = new ModelInferRequest { ModelName = DemoModels.FraudModelName, Id = id };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "Features",
            Datatype = "FP32",
            Shape = { rows.Length, FraudFeatures.Count },
            Contents = new InferTensorContents { Fp32Contents = { rows.SelectMany(row => row.Features) } },
        });
        return request;
    }

    /// <summary>Waits for what the platform does in the background (statistics flushes, a training run) to show.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token);
        }
    }

    /// <summary>Reads the audit trail as an Orleans client of the platform's cluster.</summary>
    private static async Task<IReadOnlyList<AuditEvent>> ReadFraudAuditAsync(DistributedApplication app)
    {
        var store = await app.GetConnectionStringAsync("store")
            ?? throw new InvalidOperationException("The AppHost has no 'store' connection string.");
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client
            .UseRedisClustering(store)
            .Configure<ClusterOptions>(options =>
            {
                options.ClusterId = "mlops";
                options.ServiceId = "mlops";
            }));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromMinutes(1));
        try
        {
            var model = host.Services.GetRequiredService<IClusterClient>().GetGrain<IModelGrain>(DemoModels.FraudModelName);
            var events = new List<AuditEvent>();
            AuditSlice<AuditEvent> slice;
            do
            {
                slice = await model.GetAuditLogAsync(events.Count, AuditSlices.MaxEvents);
                events.AddRange(slice.Events);
            }
            while (slice.Events.Count > 0 && events.Count < slice.Total);

            return events;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A store process still flushing its files; the temp folder is cleaned up later.
        }

        return Task.CompletedTask;
    }
}
