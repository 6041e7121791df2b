using System.Collections.Immutable;
using MlopsAspire.Abstractions;

namespace MlopsAspire.Inference.Pipeline;

/// <summary>
/// How each model's unpinned traffic is split and copied, from the routing table: the canary version and its
/// weight, and the shadow versions with their sample rates. Read lock-free on every request.
/// </summary>
public sealed class TrafficRoutes
{
    private volatile ImmutableDictionary<string, ModelTraffic> _routes = ImmutableDictionary<string, ModelTraffic>.Empty.WithComparers(StringComparer.Ordinal);

    public void Apply(RoutingTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var builder = ImmutableDictionary.CreateBuilder<string, ModelTraffic>(StringComparer.Ordinal);
        foreach (var route in table.Models)
        {
            var canary = route.Canary is { WeightPercent: > 0 } c ? c : null;
            var shadows = (route.Shadows ?? []).Where(shadow => shadow.SampleRate > 0).ToImmutableArray();
            if (canary is not null || !shadows.IsEmpty)
            {
                builder[route.ModelName] = new ModelTraffic(canary, shadows);
            }
        }

        _routes = builder.ToImmutable();
    }

    public ModelTraffic? For(string modelName) => _routes.GetValueOrDefault(modelName);
}
