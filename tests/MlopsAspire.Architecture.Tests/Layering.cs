namespace MlopsAspire.Architecture.Tests;

/// <summary>The layer of every product project, and which layers each layer may reference.</summary>
public static class Layering
{
    public static IReadOnlyDictionary<string, Layer> Projects { get; } = new Dictionary<string, Layer>(StringComparer.Ordinal)
    {
        ["MlopsAspire.Protos"] = Layer.WireContract,
        ["MlopsAspire.ModelContracts"] = Layer.ModelContract,
        ["MlopsAspire.Abstractions"] = Layer.GrainContract,
        ["MlopsAspire.Monitoring"] = Layer.Library,
        ["MlopsAspire.Serving"] = Layer.Library,
        ["MlopsAspire.Artifacts"] = Layer.Library,
        ["MlopsAspire.Training"] = Layer.Library,
        ["MlopsAspire.FraudData"] = Layer.Library,
        ["MlopsAspire.Monitoring.Mapping"] = Layer.Adapter,
        ["MlopsAspire.Grains"] = Layer.Adapter,
        ["MlopsAspire.ServiceDefaults"] = Layer.HostingDefaults,
        ["MlopsAspire.ValidationSandbox"] = Layer.ChildProcess,
        ["MlopsAspire.ControlPlane"] = Layer.Host,
        ["MlopsAspire.Inference"] = Layer.Host,
        ["MlopsAspire.TrainingWorker"] = Layer.Host,
        ["MlopsAspire.Cli"] = Layer.Host,
        ["MlopsAspire.Console"] = Layer.Host,
        ["MlopsAspire.Store"] = Layer.Host,
        ["MlopsAspire.AppHost"] = Layer.AppHost,
    };

    /// <summary>
    /// What each layer may reference. Libraries see neither Protos (gRPC) nor Abstractions (Orleans); hosts never
    /// reference one another (a host that runs another process references a <see cref="Layer.ChildProcess"/>).
    /// </summary>
    public static IReadOnlyDictionary<Layer, IReadOnlySet<Layer>> Allowed { get; } = new Dictionary<Layer, IReadOnlySet<Layer>>
    {
        [Layer.WireContract] = new HashSet<Layer>(),
        [Layer.ModelContract] = new HashSet<Layer>(),
        [Layer.GrainContract] = new HashSet<Layer> { Layer.ModelContract },
        [Layer.Library] = new HashSet<Layer> { Layer.ModelContract },
        [Layer.Adapter] = new HashSet<Layer> { Layer.ModelContract, Layer.GrainContract, Layer.Library, Layer.Adapter },
        [Layer.HostingDefaults] = new HashSet<Layer>(),
        [Layer.ChildProcess] = new HashSet<Layer> { Layer.ModelContract, Layer.Library },
        [Layer.Host] = new HashSet<Layer>
        {
            Layer.WireContract, Layer.ModelContract, Layer.GrainContract, Layer.Library, Layer.Adapter, Layer.HostingDefaults, Layer.ChildProcess,
        },
        [Layer.AppHost] = new HashSet<Layer> { Layer.Host },
    };

    /// <summary>
    /// References that break the rule today, each with what keeps it. The check fails when one of them is gone, so
    /// that this list only ever shrinks.
    /// </summary>
    public static IReadOnlyDictionary<(string From, string To), string> Pending { get; } = new Dictionary<(string, string), string>
    {
        [("MlopsAspire.Training", "MlopsAspire.Monitoring")] = "Retrainer builds the candidate's reference profile of its training rows (ReferenceProfile.FromRows); TaskMetrics uses the shared rank AUC (Metrics.AreaUnderRocCurve)",
        [("MlopsAspire.Training", "MlopsAspire.FraudData")] = "DemoModels trains the bundled fraud model on generated transactions",
    };

    /// <summary>Each reference in <paramref name="references"/> (project → referenced projects) that the rule forbids and <see cref="Pending"/> does not list.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyDictionary<string, IReadOnlyList<string>> references) =>
    [
        .. references
            .SelectMany(pair => pair.Value.Select(target => (From: pair.Key, To: target)))
            .Where(edge => Projects.ContainsKey(edge.From) && !Pending.ContainsKey(edge))
            .Where(edge => !Projects.TryGetValue(edge.To, out var to) || !Allowed[Projects[edge.From]].Contains(to))
            .Select(edge => $"{edge.From} ({Projects[edge.From]}) → {edge.To} ({(Projects.TryGetValue(edge.To, out var layer) ? layer.ToString() : "no layer")})"),
    ];
}
