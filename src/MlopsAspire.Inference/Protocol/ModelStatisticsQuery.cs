using MlopsAspire.Serving;
using MlopsAspire.Serving.Statistics;

namespace MlopsAspire.Inference.Protocol;

/// <summary>Selects the loaded versions a statistics request asks for and snapshots their counters.</summary>
internal static class ModelStatisticsQuery
{
    /// <summary>
    /// No name: every loaded version of every model. A name alone: every loaded version of that model. A name and a
    /// version: that version. Unknown models and versions are NOT_FOUND with the served ones named.
    /// </summary>
    public static IReadOnlyList<ModelStatisticsSnapshot> Snapshot(ModelRepository repository, string? modelName, string? version)
    {
        if (string.IsNullOrEmpty(modelName))
        {
            return string.IsNullOrEmpty(version)
                ? [.. repository.LoadedModels.Select(model => model.Statistics.Snapshot())]
                : throw InferenceException.InvalidArgument($"version '{version}' needs a model name");
        }

        if (!string.IsNullOrEmpty(version))
        {
            return [repository.Resolve(modelName, version).Statistics.Snapshot()];
        }

        var snapshots = new List<ModelStatisticsSnapshot>();
        foreach (var loaded in repository.GetVersions(modelName))
        {
            if (repository.TryResolve(modelName, loaded, out var model))
            {
                snapshots.Add(model.Statistics.Snapshot());
            }
        }

        if (snapshots.Count == 0)
        {
            // Not served (or just unloaded): let the repository say so with the served models named.
            repository.Resolve(modelName, null);
        }

        return snapshots;
    }
}
