using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.Abstractions.Retraining;
using MlopsAspire.ModelContracts;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;

namespace MlopsAspire.Grains.Tests;

/// <summary>Retraining that waits on the clock: the schedule and the cool-down after an alert-started run.</summary>
public sealed class ModelRetrainingScheduleTests(FakeClockClusterFixture fixture) : IClassFixture<FakeClockClusterFixture>
{
    [Fact]
    public async Task A_schedule_queues_a_run_when_it_is_due_and_alerts_within_the_cool_down_start_none()
    {
        var (name, _, version) = await ProductionModelAsync("sched", '5');
        var retraining = fixture.Grains.GetGrain<IModelRetrainingGrain>(name);
        await retraining.SetPolicy(RetrainingPolicyData.Default with { Schedule = TimeSpan.FromHours(6), Cooldown = TimeSpan.FromMinutes(30) });

        // The first question starts the schedule; nothing is due for six hours.
        Assert.Null(await retraining.Claim("worker"));
        fixture.Time.Advance(TimeSpan.FromHours(5));
        Assert.Null(await retraining.Claim("worker"));
        fixture.Time.Advance(TimeSpan.FromHours(1));
        var scheduled = await retraining.Claim("worker");
        Assert.Equal((RetrainingTrigger.Scheduled, RetrainingRunStatus.Running), (scheduled!.Trigger.Kind, scheduled.Status));
        await retraining.Complete(scheduled.RunId, new RetrainingResult(true, "candidate 2", "2"));

        // An accuracy alert starts a run; another within the cool-down does not; one after it does.
        var alert = new MonitoringAlert(fixture.Time.GetUtcNow(), name, version.Version, AlertKind.Accuracy, "outcomes", true, "accuracy fell");
        var first = await retraining.OnAlert(alert);
        Assert.NotNull(first);
        await retraining.Complete((await retraining.Claim("worker"))!.RunId, new RetrainingResult(false, "not enough labels"));
        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await retraining.OnAlert(alert with { At = fixture.Time.GetUtcNow() }));
        fixture.Time.Advance(TimeSpan.FromMinutes(25));
        Assert.NotNull(await retraining.OnAlert(alert with { At = fixture.Time.GetUtcNow() }));

        // Alerts of a kind the policy ignores, or on a version that is not in production, start nothing.
        Assert.Null(await retraining.OnAlert(alert with { Kind = AlertKind.DataQuality }));
        Assert.Null(await retraining.OnAlert(alert with { ModelVersion = "9" }));
    }

    [Fact]
    public async Task A_run_that_could_not_start_starts_no_cool_down()
    {
        var (name, model, version) = await ProductionModelAsync("nostart", '6');
        var retraining = fixture.Grains.GetGrain<IModelRetrainingGrain>(name);
        await retraining.SetPolicy(RetrainingPolicyData.Default with { Cooldown = TimeSpan.FromMinutes(30) });
        var alert = new MonitoringAlert(fixture.Time.GetUtcNow(), name, version.Version, AlertKind.Accuracy, "outcomes", true, "accuracy fell");

        // The worker cannot start it (say, its command is not allow-listed): the next alert queues another at once.
        var first = await retraining.OnAlert(alert);
        Assert.NotNull(first);
        var ended = await retraining.Complete(
            (await retraining.Claim("worker"))!.RunId,
            new RetrainingResult(false, "command 'fit' is not allow-listed on this worker", CouldNotStart: true));
        Assert.True(ended.CouldNotStart);
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await retraining.OnAlert(alert with { At = fixture.Time.GetUtcNow() });
        Assert.NotNull(second);
        Assert.NotEqual(first.RunId, second.RunId);

        // A run that started and failed does start the cool-down.
        await retraining.Complete((await retraining.Claim("worker"))!.RunId, new RetrainingResult(false, "not enough labels"));
        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await retraining.OnAlert(alert with { At = fixture.Time.GetUtcNow() }));
        var skipped = (await model.ReadAuditTrailAsync()).Last(e => e.Actor == "training");
        Assert.Equal("retrain-skipped", skipped.Action);
    }

    private async Task<(string Name, IModelGrain Model, ModelVersionInfo Version)> ProductionModelAsync(string prefix, char sha)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..18];
        var model = fixture.Grains.GetGrain<IModelGrain>(name);
        var version = await model.RegisterVersionAsync(ModelRetrainingGrainTests.Retrainable(Sha(sha)));
        await model.BeginValidationAsync(version.Version, "tester");
        await model.RecordValidationAsync(version.Version, Passed(), "tester");
        await model.PromoteAsync(version.Version, new ChangeContext("tester", "first version"));
        return (name, model, version);
    }
}
