using Mlops.V1;
using MlopsAspire.Console.Live;

namespace MlopsAspire.Console.Tests;

public sealed class ModelFilterTests
{
    private static readonly ModelRow Fraud = Row("fraud", "risk-team", ["v1 drift: amount"], ModelVersionState.Production, ModelVersionState.Shadow);
    private static readonly ModelRow Rain = Row("rain", "weather", [], ModelVersionState.Production);
    private static readonly ModelRow Churn = Row("churn", "risk-team", [], ModelVersionState.Ready);

    [Fact]
    public void The_grid_narrows_by_stage_owner_and_open_alerts_each_alone_or_together()
    {
        ModelRow[] rows = [Fraud, Rain, Churn];

        Assert.Equal(rows, new ModelFilter().Apply(rows));
        Assert.Equal([Fraud, Rain], new ModelFilter(Stage: nameof(ModelVersionState.Production)).Apply(rows));
        Assert.Equal([Fraud, Churn], new ModelFilter(Owner: "risk-team").Apply(rows));
        Assert.Equal([Fraud], new ModelFilter(WithAlerts: true).Apply(rows));
        Assert.Equal([Churn], new ModelFilter(nameof(ModelVersionState.Ready), "risk-team").Apply(rows));
        Assert.Empty(new ModelFilter(nameof(ModelVersionState.Ready), "risk-team", WithAlerts: true).Apply(rows));
    }

    private static ModelRow Row(string name, string owner, string[] alerts, params ModelVersionState[] states) =>
        new(name, owner, "1", "", "", 1, 0, 2, alerts, states.ToHashSet());
}
