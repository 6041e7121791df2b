using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Mlops.V1;
using MlopsAspire.Training;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// A new version of fraud goes through shadow, promotion and rollback while traffic runs: no request fails, the
/// replicas follow without a restart, the shadow is compared with production, and ground truth sent as feedback
/// becomes live accuracy. It runs on the fault drills' cluster (starting a platform costs a minute), whose other tests
/// may have registered and shadowed versions of fraud before: it names its own version and reads only its own events.
/// </summary>
[Collection(ClusterPlatformCollection.Name)]
public sealed class LifecycleUnderLoadEndToEndTests(ClusterPlatformFixture platform)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_new_version_is_shadowed_promoted_and_rolled_back_under_load_without_failed_requests()
    {
        var management = new ModelManagement.ModelManagementClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var monitoring = new ModelMonitoring.ModelMonitoringClient(platform.ControlPlane(PlatformFixture.OperatorKey));
        var eventsBefore = (await management.GetAuditLogAsync(new GetAuditLogRequest { Name = "fraud", PageSize = 1, NewestFirst = true })).Events.Single().Sequence;
        await using var load = new FraudLoad(platform.Inference);

        // A different fraud model (a seed no other test registers), uploaded through the management API.
        var candidate = DemoModels.TrainFraud(seed: 44).OnnxModel;
        string version;
        using (var upload = management.RegisterModel())
        {
            await upload.RequestStream.WriteAsync(new RegisterModelRequest
            {
                Metadata = new RegisterModelMetadata { Name = "fraud", Description = "retrained with seed 43", Size = candidate.Length },
            });
            for (var offset = 0; offset < candidate.Length; offset += 32 * 1024)
            {
                await upload.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = ByteString.CopyFrom(candidate, offset, Math.Min(32 * 1024, candidate.Length - offset)) });
            }

            await upload.RequestStream.CompleteAsync();
            var registered = await upload;
            Assert.True(registered.Created, $"version {registered.Version.Version} already held this artifact");
            version = registered.Version.Version;
        }

        await management.SetShadowAsync(new SetShadowRequest { Name = "fraud", Version = version, SampleRate = 1.0, Reason = "compare on live traffic" });
        var compared = await EventuallyAsync(async () =>
        {
            var stats = await monitoring.GetStatsAsync(new GetStatsRequest { ModelName = "fraud", Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) });
            var production = stats.Versions.Single(v => v.Role == "production");
            var shadow = production.Shadows.SingleOrDefault(s => s.ShadowVersion == version);
            return shadow is { Compared: > 50 } ? shadow : null;
        });
        Assert.InRange(compared.Agreement, 0.9, 1.0);

        await management.PromoteAsync(new PromoteRequest { Name = "fraud", Version = version, Reason = "shadow agreed" });
        await EventuallyAsync(() => Task.FromResult(load.RecentVersion == version ? version : null));
        await management.RollbackAsync(new RollbackRequest { Name = "fraud", Reason = "drill" });
        await EventuallyAsync(() => Task.FromResult(load.RecentVersion == "1" ? "1" : null));

        var (sent, failures, versions) = await load.StopAsync();
        Assert.True(sent > 200, $"only {sent} requests ran");
        Assert.Empty(failures);
        Assert.Contains("1", versions);
        Assert.Contains(version, versions);

        // Ground truth for the requests already answered becomes live accuracy of the versions that answered them.
        var feedback = new FeedbackRequest { ModelName = "fraud", BatchId = "e2e" };
        feedback.Items.AddRange(load.Labels.Take(500).Select(pair => new FeedbackItem { RequestId = pair.Key, Labels = { pair.Value ? 1f : 0f } }));
        var joined = await monitoring.SendFeedbackAsync(feedback);
        Assert.True(joined.Joined > 0, $"no feedback joined; unknown: {joined.UnknownRequestIds.Count}");
        var labelled = await EventuallyAsync(async () =>
        {
            var stats = await monitoring.GetStatsAsync(new GetStatsRequest { ModelName = "fraud", Version = "1", Span = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)) });
            return stats.Versions.Single() is { LabelledRows: > 0 } version ? version : null;
        });
        Assert.InRange(labelled.Accuracy, 0.8, 1.0);

        var audit = await management.GetAuditLogAsync(new GetAuditLogRequest { Name = "fraud", PageSize = 1000 });
        Assert.Equal(
            ["shadow", "promote", "rollback"],
            audit.Events.Where(e => e.Sequence > eventsBefore && e.Actor == "operator" && e.Action is "shadow" or "promote" or "rollback").Select(e => e.Action));
    }

    private static Task<T> EventuallyAsync<T>(Func<Task<T?>> probe)
        where T : class => Eventually.Async(probe, Patience);
}
