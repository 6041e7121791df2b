namespace MlopsAspire.Architecture.Tests;

/// <summary>Dependencies flow one way: contracts ← libraries ← adapters ← hosts ← AppHost (see <see cref="Layering"/>).</summary>
public sealed class LayeringTests
{
    private static readonly ProjectGraph Graph = ProjectGraph.Load(ProjectGraph.FindRepositoryRoot());

    [Fact]
    public void Finds_the_product_projects()
    {
        Assert.Contains("MlopsAspire.Abstractions", Graph.References.Keys);
        Assert.Contains("MlopsAspire.AppHost", Graph.References.Keys);
        Assert.Contains("MlopsAspire.ServiceDefaults", Graph.References.Keys);
    }

    [Fact]
    public void Every_project_has_a_layer()
    {
        var unplaced = Graph.References.Keys.Where(project => !Layering.Projects.ContainsKey(project)).ToList();
        Assert.True(unplaced.Count == 0, $"place these projects in Layering.Projects: {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void The_console_reaches_the_platform_only_through_the_wire_contracts()
    {
        // No back door into grains or the store: the console can be scaled and secured on its own, like the CLI.
        Assert.Equal(["MlopsAspire.Protos", "MlopsAspire.ServiceDefaults"], Graph.References["MlopsAspire.Console"].Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_reference_flows_toward_the_contracts()
    {
        var violations = Layering.Violations(Graph.References);
        Assert.True(violations.Count == 0, $"references against the layering:{Environment.NewLine}{string.Join(Environment.NewLine, violations)}");
    }

    [Fact]
    public void Pending_exceptions_still_exist()
    {
        var gone = Layering.Pending.Keys
            .Where(edge => !Graph.References.TryGetValue(edge.From, out var targets) || !targets.Contains(edge.To))
            .Select(edge => $"{edge.From} → {edge.To}")
            .ToList();
        Assert.True(gone.Count == 0, $"remove from Layering.Pending, the reference is gone: {string.Join(", ", gone)}");
    }

    [Theory]
    [InlineData("MlopsAspire.Serving", "MlopsAspire.Inference")]
    [InlineData("MlopsAspire.Monitoring", "MlopsAspire.Abstractions")]
    [InlineData("MlopsAspire.Artifacts", "MlopsAspire.Protos")]
    [InlineData("MlopsAspire.Abstractions", "MlopsAspire.Protos")]
    [InlineData("MlopsAspire.ModelContracts", "MlopsAspire.Monitoring")]
    [InlineData("MlopsAspire.Inference", "MlopsAspire.ControlPlane")]
    [InlineData("MlopsAspire.AppHost", "MlopsAspire.Grains")]
    [InlineData("MlopsAspire.Grains", "MlopsAspire.Inference")]
    [InlineData("MlopsAspire.Serving", "MlopsAspire.Unplaced")]
    public void A_reference_against_the_flow_is_reported(string from, string to)
    {
        var violation = Assert.Single(Layering.Violations(new Dictionary<string, IReadOnlyList<string>> { [from] = [to] }));
        Assert.StartsWith($"{from} (", violation);
    }
}
