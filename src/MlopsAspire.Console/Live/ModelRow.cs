using Mlops.V1;

namespace MlopsAspire.Console.Live;

/// <summary>A model as the models grid shows it: its routes, its production traffic over the last minute and its open alerts.</summary>
public sealed record ModelRow(
    string Name,
    string Owner,
    string Production,
    string Canary,
    string Shadows,
    double RequestRate,
    double ErrorRate,
    double P99Milliseconds,
    IReadOnlyList<string> Alerts,
    IReadOnlySet<ModelVersionState> States)
{
    public static ModelRow From(Model model, ModelStats? stats)
    {
        ArgumentNullException.ThrowIfNull(model);
        var served = stats?.Versions.Where(v => string.IsNullOrEmpty(v.Unavailable)).ToList() ?? [];
        var production = served.FirstOrDefault(v => v.Version == model.ProductionVersion);
        var requests = served.Sum(v => v.Requests);
        var owner = model.Versions.FirstOrDefault(v => v.Version == model.ProductionVersion)?.Owner
            ?? model.Versions.LastOrDefault()?.Owner ?? "";
        return new ModelRow(
            model.Name,
            owner,
            model.ProductionVersion,
            model.Canary is { Version.Length: > 0 } canary ? $"{canary.Version} ({canary.WeightPercent}%)" : "",
            string.Join(", ", model.Shadows.Select(s => $"{s.Version} ({s.SampleRate:0.##})")),
            served.Sum(LiveHistory.RequestRate),
            // Errors over every served version, weighted by their requests.
            requests == 0 ? 0 : served.Sum(v => v.ErrorRate * v.Requests) / requests,
            production?.P99Ms ?? 0,
            [.. served.SelectMany(v => v.ActiveAlerts.Select(a => $"v{v.Version} {a.Kind}: {a.Subject}")).Distinct()],
            model.Versions.Select(v => v.State).ToHashSet());
    }
}
