using System.Globalization;
using Mlops.V1;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary>
/// How <c>mlops models show</c> prints a model for people: its aliases, a table of versions with their task, what
/// monitoring cannot do for each and why, and each config document (once for the versions that share it).
/// </summary>
internal sealed class ModelView(IAnsiConsole output)
{
    private const string NoConfig = "none (the platform infers what it can from the model's signature; register with --config to declare the model's contract)";

    public void Write(Model model)
    {
        output.MarkupLine($"[bold]{Markup.Escape(model.Name)}[/]  revision {model.Revision}");
        output.MarkupLine($"  production: {TableCells.Dash(model.ProductionVersion)}");
        output.MarkupLine($"  canary:     {(model.Canary is { } canary ? $"{Markup.Escape(canary.Version)} ({canary.WeightPercent}%)" : "-")}");
        output.MarkupLine($"  shadows:    {Shadows(model)}");
        var table = new Table().AddColumns("Version", "State", "Task", "SHA-256", "Size", "Owner", "Registered", "Validation", "Replicas");
        foreach (var version in model.Versions)
        {
            table.AddRow(
                Markup.Escape(version.Version),
                StateName(version.State),
                TableCells.Dash(version.Task),
                Markup.Escape(version.ArtifactSha256[..Math.Min(12, version.ArtifactSha256.Length)]),
                version.ArtifactSize.ToString("N0", CultureInfo.InvariantCulture),
                TableCells.Dash(version.Owner),
                Time(version.RegisteredAt),
                TableCells.Text(Validation(version)),
                version.ReplicaLoad is { } load ? $"{load.Loaded}/{load.Replicas} loaded" : "-");
        }

        output.Write(table);

        // Load errors are long: each on its own line under the table, where it is read whole.
        foreach (var version in model.Versions.Where(version => version.ReplicaLoad is { } load && (load.Failed > 0 || load.Loaded < load.Replicas)))
        {
            output.MarkupLine($"  version {Markup.Escape(version.Version)}: {Markup.Escape(version.ReplicaLoad.Summary)}");
        }

        // Retrained versions inherit their parent's document, so versions that share one are listed together.
        foreach (var group in model.Versions.Where(v => v.MonitoringLimitations.Count > 0).GroupBy(v => string.Join("\n", v.MonitoringLimitations)))
        {
            output.MarkupLine($"[yellow]monitoring limits[/] of {Markup.Escape(VersionList(group))}:");
            foreach (var limitation in group.First().MonitoringLimitations)
            {
                output.MarkupLine($"  - {Markup.Escape(limitation)}");
            }
        }

        foreach (var group in model.Versions.GroupBy(v => v.ServingConfigJson.Trim()))
        {
            if (group.Key.Length == 0)
            {
                output.MarkupLine($"config document of {Markup.Escape(VersionList(group))}: {Markup.Escape(NoConfig)}");
                continue;
            }

            output.MarkupLine($"config document of {Markup.Escape(VersionList(group))}:");
            WriteDocument(group.Key);
        }
    }

    public void Write(ModelVersion version)
    {
        output.MarkupLine($"[bold]{Markup.Escape(version.ModelName)}[/] version [bold]{Markup.Escape(version.Version)}[/]: {StateName(version.State)}");
        Line("task", version.Task.Length > 0 ? version.Task : "not declared");
        Line("artifact", $"sha256 {version.ArtifactSha256}, {version.ArtifactSize.ToString("N0", CultureInfo.InvariantCulture)} bytes, {version.Framework}");
        Line("registered", $"{Time(version.RegisteredAt)} by {Or(version.RegisteredBy)}, owner {Or(version.Owner)}");
        if (version.Description.Length > 0)
        {
            Line("description", version.Description);
        }

        Line("validation", Validation(version));
        if (version.Signature is { } signature)
        {
            Line("inputs", Tensors(signature.Inputs));
            Line("outputs", Tensors(signature.Outputs));
        }

        if (version.OfflineMetrics.Count > 0)
        {
            Line("metrics", string.Join(", ", version.OfflineMetrics.OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => $"{m.Key} {m.Value.ToString("0.####", CultureInfo.InvariantCulture)}")));
        }

        if (version.Lineage is { } lineage)
        {
            Line("lineage", Lineage(lineage));
        }

        if (version.MonitoringLimitations.Count == 0)
        {
            Line("monitoring", version.Task.Length > 0 ? "no limits" : "-");
        }
        else
        {
            output.MarkupLine($"  [yellow]monitoring limits[/]:");
            foreach (var limitation in version.MonitoringLimitations)
            {
                output.MarkupLine($"    - {Markup.Escape(limitation)}");
            }
        }

        var document = version.ServingConfigJson.Trim();
        if (document.Length == 0)
        {
            Line("config", NoConfig);
            return;
        }

        output.MarkupLine("  config document:");
        WriteDocument(document);
    }

    internal static string StateName(ModelVersionState state) => state.ToString();

    internal static string Shadows(Model model) =>
        model.Shadows.Count == 0
            ? "-"
            : Markup.Escape(string.Join(", ", model.Shadows.Select(s => $"{s.Version} ({s.SampleRate.ToString("0.###", CultureInfo.InvariantCulture)})")));

    private void Line(string label, string value) => output.MarkupLine($"  {Markup.Escape((label + ":").PadRight(12))} {Markup.Escape(value)}");

    /// <summary>The document as registered (comments and layout kept), indented under its heading.</summary>
    private void WriteDocument(string document)
    {
        foreach (var line in document.Split('\n'))
        {
            output.MarkupLine("    " + Markup.Escape(line.TrimEnd('\r')));
        }
    }

    private static string VersionList(IEnumerable<ModelVersion> versions)
    {
        var numbers = versions.Select(v => v.Version).ToList();
        return (numbers.Count == 1 ? "version " : "versions ") + string.Join(", ", numbers);
    }

    private static string Validation(ModelVersion version)
    {
        if (version.Validation is null)
        {
            return "-";
        }

        if (!version.Validation.Passed)
        {
            return "failed: " + version.Validation.Detail;
        }

        var latency = string.Join(", ", version.Validation.LatencyMsByBatchSize.OrderBy(l => l.Key)
            .Select(l => $"b{l.Key} {l.Value.ToString("0.##", CultureInfo.InvariantCulture)} ms"));
        return $"passed ({latency})";
    }

    private static string Tensors(IEnumerable<TensorSignature> tensors)
    {
        var text = string.Join(", ", tensors.Select(t => $"{t.Name} {t.Datatype} [{string.Join(", ", t.Shape)}]"));
        return text.Length == 0 ? "-" : text;
    }

    private static string Lineage(Lineage lineage)
    {
        var parts = new List<string> { $"parent {Or(lineage.ParentVersion)}" };
        if (lineage.Trainer.Length > 0)
        {
            parts.Add($"trainer {lineage.Trainer}");
        }

        if (lineage.TrainingRows > 0)
        {
            parts.Add($"{lineage.TrainingRows.ToString("N0", CultureInfo.InvariantCulture)} training rows");
        }

        if (lineage.TrainingData is { } window)
        {
            parts.Add($"data {Time(window.From)} to {Time(window.To)}");
        }

        if (lineage.Trigger.Length > 0)
        {
            parts.Add($"trigger {lineage.Trigger}");
        }

        return string.Join(", ", parts);
    }

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp? at) =>
        at?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string Or(string value) => value.Length == 0 ? "-" : value;
}
