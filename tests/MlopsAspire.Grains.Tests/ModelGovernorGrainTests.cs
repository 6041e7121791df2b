using MlopsAspire.Abstractions;
using MlopsAspire.Abstractions.Monitoring;
using MlopsAspire.ModelContracts;
using MlopsAspire.Monitoring.Mapping;
using MlopsAspire.Monitoring.Windows;
using static MlopsAspire.Grains.Tests.ModelLifecycleTests;

namespace MlopsAspire.Grains.Tests;

/// <summary>Promotion gates on two silos and the real store, fed by real monitoring grains.</summary>
public sealed class ModelGovernorGrainTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    internal static readonly PromotionPolicyData Policy = new(
        MinimumRows: 500,
        MinimumDuration: TimeSpan.Zero,
        MinimumShadowAgreement: 0.95,
        MaximumMeanScoreDelta: 0.05,
        MaximumP99Ratio: 2.0,
        MaximumErrorRate: 0.01,
        MaximumAccuracyDrop: 0.02,
        MinimumLabelledRows: 100,
        AutoPromote: false,
        AutoRollback: false,
        EvaluationSpan: TimeSpan.FromHours(1));

    [Fact]
    public async Task A_shadow_that_agrees_with_production_passes_and_is_promoted_when_auto_promotion_is_on()
    {
        var (name, model) = await ModelWithTwoReadyVersionsAsync();
        await model.PromoteAsync("1", new ChangeContext("tester", "baseline"));
        await model.SetShadowAsync("2", 1.0, new ChangeContext("tester", "compare"));
        await ReportAsync(name, "1", rows: 2000, shadowOf: ("2", Agreement: 0.99, Delta: 0.01));
        await ReportAsync(name, "2", rows: 2000);

        var governor = fixture.Grains.GetGrain<IModelGovernorGrain>(name);
        await governor.SetPolicy(Policy);
        var verdict = Assert.Single(await governor.Evaluate(act: false));
        Assert.Equal(("2", "shadow", "1"), (verdict.Version, verdict.Role, verdict.BaselineVersion));
        Assert.True(verdict.Decided && verdict.Passed, verdict.Summary);
        Assert.Equal("1", (await model.GetAsync()).ProductionVersion);

        await governor.SetPolicy(Policy with { AutoPromote = true });
        var acted = Assert.Single(await governor.Evaluate(act: true));
        Assert.Equal("promoted", acted.ActionTaken);
        Assert.Equal("2", (await model.GetAsync()).ProductionVersion);
        var promotion = (await model.ReadAuditTrailAsync()).Last(e => e.Action == "promote");
        Assert.Equal(ModelGovernorActor, promotion.Actor);
        Assert.Contains("gate passed against 1", promotion.Reason);
    }

    [Fact]
    public async Task A_shadow_that_disagrees_fails_with_the_reason_and_nothing_moves()
    {
        var (name, model) = await ModelWithTwoReadyVersionsAsync();
        await model.PromoteAsync("1", new ChangeContext("tester", "baseline"));
        await model.SetShadowAsync("2", 1.0, new ChangeContext("tester", "compare"));
        await ReportAsync(name, "1", rows: 2000, shadowOf: ("2", Agreement: 0.80, Delta: 0.20));
        await ReportAsync(name, "2", rows: 2000);

        var governor = fixture.Grains.GetGrain<IModelGovernorGrain>(name);
        await governor.SetPolicy(Policy with { AutoPromote = true });
        var verdict = Assert.Single(await governor.Evaluate(act: true));
        Assert.False(verdict.Passed);
        Assert.Null(verdict.ActionTaken);
        Assert.Contains("agreement with production 80.00%", verdict.Summary);
        Assert.Equal("1", (await model.GetAsync()).ProductionVersion);
    }

    [Fact]
    public async Task A_production_version_less_accurate_than_the_one_it_replaced_is_rolled_back()
    {
        var (name, model) = await ModelWithTwoReadyVersionsAsync();
        await model.PromoteAsync("1", new ChangeContext("tester", "baseline"));
        await ReportAsync(name, "1", rows: 2000, accuracy: 0.95);
        await model.PromoteAsync("2", new ChangeContext("tester", "new version"));
        await ReportAsync(name, "2", rows: 2000, accuracy: 0.80);

        var governor = fixture.Grains.GetGrain<IModelGovernorGrain>(name);
        await governor.SetPolicy(Policy with { AutoRollback = true, MinimumShadowAgreement = null, MaximumMeanScoreDelta = null });
        var verdict = Assert.Single(await governor.Evaluate(act: true));
        Assert.Equal(("2", "production", "1"), (verdict.Version, verdict.Role, verdict.BaselineVersion));
        Assert.Equal("rolled back to 1", verdict.ActionTaken);
        Assert.Equal("1", (await model.GetAsync()).ProductionVersion);
        Assert.Contains((await model.ReadAuditTrailAsync()), e => e.Action == "rollback" && e.Actor == ModelGovernorActor);
    }

    [Fact]
    public async Task Invalid_policies_are_rejected()
    {
        var governor = fixture.Grains.GetGrain<IModelGovernorGrain>("any-model");
        await Assert.ThrowsAsync<ArgumentException>(() => governor.SetPolicy(Policy with { MaximumErrorRate = 3 }));
        await Assert.ThrowsAsync<ArgumentException>(() => governor.SetPolicy(Policy with { EvaluationSpan = TimeSpan.Zero }));
    }

    internal const string ModelGovernorActor = "promotion-gate";

    private Task ReportAsync(string name, string version, int rows, (string Version, double Agreement, double Delta)? shadowOf = null, double? accuracy = null) =>
        ReportAsync(fixture.Grains, DateTimeOffset.UtcNow, name, version, rows, shadowOf, accuracy);

    /// <summary>What replicas (and feedback) would tell the version's monitoring grain, as of <paramref name="now"/>.</summary>
    internal static async Task ReportAsync(
        IGrainFactory grains, DateTimeOffset now, string name, string version, int rows,
        (string Version, double Agreement, double Delta)? shadowOf = null, double? accuracy = null)
    {
        var monitor = grains.GetGrain<IModelMonitorGrain>(ModelVersionKey.Format(name, version));
        var statistics = new PredictionStatistics(null) { RequestCount = rows, RowCount = rows };
        for (var i = 0; i < rows; i++)
        {
            statistics.TotalLatency.Record(1000 + i % 100);
        }

        if (shadowOf is { } shadow)
        {
            statistics.Shadows[shadow.Version] = new ShadowComparison
            {
                Compared = rows,
                LabelAgreements = (long)(rows * shadow.Agreement),
                SumAbsoluteDifference = rows * shadow.Delta,
                MaxAbsoluteDifference = shadow.Delta * 2,
            };
        }

        var at = now.AddSeconds(-2);
        await monitor.Report(MonitoringMapper.ToMessage("replica", DateTime.UtcNow.Ticks, at, at.AddSeconds(1), statistics));
        if (accuracy is { } share)
        {
            var outcomes = Enumerable.Range(0, 1000).Select(i => new LabelledOutcome(at, i < share * 1000 ? 0.9f : 0.1f, 1f)).ToList();
            await monitor.RecordOutcomes(Guid.NewGuid().ToString("N"), ModelTask.BinaryClassification, outcomes);
        }
    }

    private Task<(string Name, IModelGrain Model)> ModelWithTwoReadyVersionsAsync() => ModelWithTwoReadyVersionsAsync(fixture.Grains);

    internal static async Task<(string Name, IModelGrain Model)> ModelWithTwoReadyVersionsAsync(IGrainFactory grains)
    {
        var name = $"gated-{Guid.NewGuid():N}"[..20];
        var model = grains.GetGrain<IModelGrain>(name);
        for (var i = 1; i <= 2; i++)
        {
            var version = await model.RegisterVersionAsync(Request(Sha((char)('0' + i))));
            await model.BeginValidationAsync(version.Version, "tester");
            await model.RecordValidationAsync(version.Version, Passed(), "tester");
        }

        return (name, model);
    }
}
