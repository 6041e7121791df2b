using Mlops.V1;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// Everything the lifecycle promises to keep, read through the management API: each model with its revision, aliases
/// (the routing contract), production history and versions with their states and artifacts, and its audit trail.
/// How replicas hold a version is left out: that follows the replicas, not the lifecycle.
/// </summary>
public static class LifecycleState
{
    public static async Task<IReadOnlyList<string>> CaptureAsync(ModelManagement.ModelManagementClient management)
    {
        var lines = new List<string>();
        var models = await management.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
        foreach (var listed in models.Models.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var model = await management.GetModelAsync(new GetModelRequest { Name = listed.Name }, deadline: DateTime.UtcNow.AddSeconds(30));
            foreach (var version in model.Versions)
            {
                version.ReplicaLoad = null;
            }

            lines.Add(model.ToString());
            var audit = await management.GetAuditLogAsync(new GetAuditLogRequest { Name = model.Name, PageSize = 1000 }, deadline: DateTime.UtcNow.AddSeconds(30));
            lines.AddRange(audit.Events.Select(e => $"{model.Name} audit {e}"));
        }

        return lines;
    }

    /// <summary>What <paramref name="before"/> held that <paramref name="after"/> does not, and the reverse.</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyList<string> before, IReadOnlyList<string> after) =>
        [.. before.Except(after).Select(line => $"lost: {line}"), .. after.Except(before).Select(line => $"new: {line}")];
}
