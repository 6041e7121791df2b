using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// Automation that outlives its activation: the cluster restarts between setting the policy and the evidence, and
/// nothing but the passing of time (on the test's clock) brings the gate back.
/// </summary>
public sealed class PromotionAutomationRestartTests(FakeClockClusterFixture fixture) : IClassFixture<FakeClockClusterFixture>
{
    [Fact]
    public async Task A_shadow_that_passes_after_a_restart_is_promoted_without_any_management_call()
    {
        var (name, before) = await ModelGovernorGrainTests.ModelWithTwoReadyVersionsAsync(fixture.Grains);
        await before.PromoteAsync("1", new ChangeContext("tester", "baseline"));
        await before.SetShadowAsync("2", 1.0, new ChangeContext("tester", "compare"));
        await fixture.Grains.GetGrain<IModelGovernorGrain>(name).SetPolicy(ModelGovernorGrainTests.Policy with { AutoPromote = true });

        await fixture.RestartAsync();
        var model = fixture.Grains.GetGrain<IModelGrain>(name);

        // The evidence arrives after the restart, the way replicas report it: to the monitoring grains only.
        var now = fixture.Time.GetUtcNow();
        await ModelGovernorGrainTests.ReportAsync(fixture.Grains, now, name, "1", rows: 2000, shadowOf: ("2", Agreement: 0.99, Delta: 0.01));
        await ModelGovernorGrainTests.ReportAsync(fixture.Grains, now, name, "2", rows: 2000);
        var watcher = new PromotionWatcher("2");
        var reference = fixture.Grains.CreateObjectReference<IModelObserver>(watcher);
        await model.SubscribeAsync(reference);

        // Minutes pass on the test's clock, each after a real-time pause that only lets the previous minute's work run:
        // on a busy machine that work may still be going when the clock moves on, so the clock stops well inside the
        // policy's one-hour evaluation span (the evidence stays in it) and the promotion is then waited for.
        for (var minute = 0; minute < 50 && !watcher.Promoted.IsCompleted; minute++)
        {
            fixture.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(watcher.Promoted, Task.Delay(TimeSpan.FromMilliseconds(500)));
        }

        var promotion = await watcher.Promoted.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(ModelGovernorGrainTests.ModelGovernorActor, promotion.Actor);
        Assert.Equal("2", (await model.GetAsync()).ProductionVersion);
        await model.UnsubscribeAsync(reference);
        fixture.Grains.DeleteObjectReference<IModelObserver>(reference);
    }

    private sealed class PromotionWatcher(string version) : IModelObserver
    {
        private readonly TaskCompletionSource<AuditEvent> _promoted = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<AuditEvent> Promoted => _promoted.Task;

        public void ModelChanged(ModelChangeNotice notice)
        {
            if (notice.Events.FirstOrDefault(e => e.Action == "promote" && e.Version == version) is { } promotion)
            {
                _promoted.TrySetResult(promotion);
            }
        }
    }
}
