using System.Globalization;
using Mlops.V1;

namespace MlopsAspire.Console.Live;

/// <summary>
/// Two versions of a model side by side: their metrics over the same spans (as the monitoring API merged them), and
/// what the management API says of each (registration, validation latency, lineage, offline metrics). A value a
/// version does not have is shown as "–", so a row exists whenever either version has it.
/// </summary>
public static class VersionComparison
{
    public const string Missing = "–";

    /// <summary>The spans both versions are measured over, each with its own request to the monitoring API.</summary>
    public static IReadOnlyList<TimeSpan> Spans { get; } = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1), TimeSpan.FromDays(1)];

    public static IReadOnlyList<ComparisonRow> Metrics(IReadOnlyList<(TimeSpan Span, VersionStats? Left, VersionStats? Right)> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var rows = new List<ComparisonRow>();
        foreach (var (span, left, right) in windows)
        {
            var section = $"last {SpanText(span)}";
            rows.Add(Row(section, "requests", left, right, s => s.Requests.ToString("N0", CultureInfo.InvariantCulture)));
            rows.Add(Row(section, "error rate", left, right, s => s.ErrorRate.ToString("0.##%", CultureInfo.InvariantCulture)));
            rows.Add(Row(section, "p50 ms", left, right, s => Number(s.P50Ms)));
            rows.Add(Row(section, "p99 ms", left, right, s => Number(s.P99Ms)));
            rows.Add(Row(section, "labelled rows", left, right, s => s.LabelledRows.ToString("N0", CultureInfo.InvariantCulture)));
            rows.Add(Row(section, "accuracy", left, right, s => s.LabelledRows > 0 ? Number(s.Accuracy, "0.####") : Missing));
            rows.Add(Row(section, "AUC", left, right, s => s.LabelledRows > 0 ? Number(s.Auc, "0.####") : Missing));
            rows.Add(Row(section, "largest feature PSI", left, right, s => s.Features.Count == 0 ? Missing
                : s.Features.MaxBy(f => f.Psi) is { } worst ? $"{Number(worst.Psi, "0.###")} ({worst.Name})" : Missing));
        }

        return rows;
    }

    public static IReadOnlyList<ComparisonRow> Versions(ModelVersion left, ModelVersion right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var rows = new List<ComparisonRow>
        {
            new("version", "state", State(left), State(right)),
            new("version", "registered", Registered(left), Registered(right)),
            new("version", "description", Text(left.Description), Text(right.Description)),
            new("version", "task", Text(left.Task), Text(right.Task)),
            new("version", "artifact", Artifact(left), Artifact(right)),
            new("validation", "result", Validation(left), Validation(right)),
        };
        foreach (var batch in Keys(left.Validation?.LatencyMsByBatchSize, right.Validation?.LatencyMsByBatchSize))
        {
            rows.Add(new("validation", $"latency at batch {batch}", Latency(left, batch), Latency(right, batch)));
        }

        rows.Add(new("lineage", "parent", Parent(left), Parent(right)));
        rows.Add(new("lineage", "trainer", Text(left.Lineage?.Trainer), Text(right.Lineage?.Trainer)));
        rows.Add(new("lineage", "training rows", Rows(left), Rows(right)));
        rows.Add(new("lineage", "trigger", Text(left.Lineage?.Trigger), Text(right.Lineage?.Trigger)));
        rows.Add(new("lineage", "data window", DataWindow(left), DataWindow(right)));
        foreach (var parameter in Keys(left.Lineage?.Parameters, right.Lineage?.Parameters))
        {
            rows.Add(new("lineage", parameter, Text(left.Lineage?.Parameters.GetValueOrDefault(parameter)), Text(right.Lineage?.Parameters.GetValueOrDefault(parameter))));
        }

        foreach (var metric in Keys(left.OfflineMetrics, right.OfflineMetrics))
        {
            rows.Add(new("offline metrics", metric, Offline(left, metric), Offline(right, metric)));
        }

        return rows;
    }

    public static string SpanText(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0} d" : span.TotalHours >= 1 ? $"{span.TotalHours:0} h" : $"{span.TotalMinutes:0} min";

    private static ComparisonRow Row(string section, string label, VersionStats? left, VersionStats? right, Func<VersionStats, string> value) =>
        new(section, label, Measured(left, value), Measured(right, value));

    private static string Measured(VersionStats? stats, Func<VersionStats, string> value) =>
        stats is null || !string.IsNullOrEmpty(stats.Unavailable) ? Missing : value(stats);

    private static string Number(double value, string format = "0.##") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : Missing;

    private static string Text(string? value) => string.IsNullOrEmpty(value) ? Missing : value;

    private static IEnumerable<T> Keys<T, TValue>(IDictionary<T, TValue>? left, IDictionary<T, TValue>? right) =>
        (left?.Keys ?? []).Union(right?.Keys ?? []).Order();

    private static string State(ModelVersion version) => version.State.ToString().ToLowerInvariant();

    private static string Registered(ModelVersion version) =>
        $"{version.RegisteredAt?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC by {version.RegisteredBy}";

    private static string Artifact(ModelVersion version) =>
        $"{version.Framework} · {version.ArtifactSize.ToString("N0", CultureInfo.InvariantCulture)} bytes · sha256 {version.ArtifactSha256[..Math.Min(12, version.ArtifactSha256.Length)]}";

    private static string Validation(ModelVersion version) =>
        version.Validation is { } validation ? validation.Passed ? "passed" : $"failed: {validation.Detail}" : Missing;

    private static string Latency(ModelVersion version, int batch) =>
        version.Validation?.LatencyMsByBatchSize.TryGetValue(batch, out var ms) == true ? $"{Number(ms)} ms" : Missing;

    private static string Parent(ModelVersion version) =>
        version.Lineage is { ParentVersion.Length: > 0 } lineage ? $"v{lineage.ParentVersion}" : "no parent";

    private static string Rows(ModelVersion version) =>
        version.Lineage is { TrainingRows: > 0 } lineage ? lineage.TrainingRows.ToString("N0", CultureInfo.InvariantCulture) : Missing;

    private static string DataWindow(ModelVersion version) => version.Lineage?.TrainingData is { } data
        ? $"{data.From?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} – {data.To?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}"
        : Missing;

    private static string Offline(ModelVersion version, string metric) =>
        version.OfflineMetrics.TryGetValue(metric, out var value) ? Number(value, "0.####") : Missing;
}
