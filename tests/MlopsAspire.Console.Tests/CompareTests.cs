using Bunit;
using Google.Protobuf.WellKnownTypes;
using Mlops.V1;
using MlopsAspire.Console.Components.Pages;
using MlopsAspire.Console.Live;
using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Console.Tests;

public sealed class CompareTests(ControlPlaneHost host) : ControlPlaneConsoleTest(host)
{
    [Fact]
    public void Metrics_of_both_versions_over_the_same_span_are_side_by_side_and_a_version_without_them_shows_a_dash()
    {
        var production = new VersionStats { Version = "1", Requests = 1200, ErrorRate = 0.005, P50Ms = 0.8, P99Ms = 4.25, LabelledRows = 300, Accuracy = 0.9123, Auc = 0.95 };
        production.Features.Add(new FeatureDrift { Name = "amount", Psi = 0.02 });
        production.Features.Add(new FeatureDrift { Name = "hour", Psi = 0.31 });
        var shadow = new VersionStats { Version = "2", Requests = 1200, ErrorRate = 0, P50Ms = 0.9, P99Ms = double.NaN };

        var rows = VersionComparison.Metrics([(TimeSpan.FromMinutes(10), production, shadow), (TimeSpan.FromDays(1), production, null)]);

        Assert.Equal(
            [
                ("last 10 min", "requests", "1,200", "1,200", false),
                ("last 10 min", "error rate", "0.5%", "0%", true),
                ("last 10 min", "p50 ms", "0.8", "0.9", true),
                ("last 10 min", "p99 ms", "4.25", "–", true),
                ("last 10 min", "labelled rows", "300", "0", true),
                ("last 10 min", "accuracy", "0.9123", "–", true),
                ("last 10 min", "AUC", "0.95", "–", true),
                ("last 10 min", "largest feature PSI", "0.31 (hour)", "–", true),
            ],
            rows.Take(8).Select(r => (r.Section, r.Label, r.Left, r.Right, r.Differs)));
        Assert.All(rows.Skip(8), row => Assert.Equal(("last 1 d", "–"), (row.Section, row.Right)));
    }

    [Fact]
    public void Validation_latency_lineage_and_offline_metrics_get_a_row_whenever_either_version_has_them()
    {
        var parent = new ModelVersion { Version = "1", State = ModelVersionState.Production, Validation = new ValidationReport { Passed = true, LatencyMsByBatchSize = { [1] = 0.11, [4] = 0.07 } } };
        parent.OfflineMetrics["auc"] = 0.91;
        var child = new ModelVersion
        {
            Version = "2",
            State = ModelVersionState.Shadow,
            Validation = new ValidationReport { Passed = true, LatencyMsByBatchSize = { [1] = 0.12, [16] = 0.3 } },
            Lineage = new Lineage
            {
                ParentVersion = "1",
                Trainer = "mlnet-fasttree",
                TrainingRows = 6000,
                Parameters = { ["NumberOfTrees"] = "100" },
                TrainingData = new TrainingDataWindow { From = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture)), To = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse("2026-03-01T11:30:00Z", System.Globalization.CultureInfo.InvariantCulture)) },
            },
        };
        child.OfflineMetrics["auc"] = 0.93;
        child.OfflineMetrics["parent_auc"] = 0.91;

        var rows = VersionComparison.Versions(parent, child).ToDictionary(r => (r.Section, r.Label), r => (r.Left, r.Right));

        Assert.Equal(("production", "shadow"), rows[("version", "state")]);
        Assert.Equal(("0.11 ms", "0.12 ms"), rows[("validation", "latency at batch 1")]);
        Assert.Equal(("0.07 ms", "–"), rows[("validation", "latency at batch 4")]);
        Assert.Equal(("–", "0.3 ms"), rows[("validation", "latency at batch 16")]);
        Assert.Equal(("no parent", "v1"), rows[("lineage", "parent")]);
        Assert.Equal(("–", "6,000"), rows[("lineage", "training rows")]);
        Assert.Equal(("–", "2026-03-01 10:00 – 2026-03-01 11:30"), rows[("lineage", "data window")]);
        Assert.Equal(("–", "100"), rows[("lineage", "NumberOfTrees")]);
        Assert.Equal(("0.91", "0.93"), rows[("offline metrics", "auc")]);
        Assert.Equal(("–", "0.91"), rows[("offline metrics", "parent_auc")]);
    }

    [Fact]
    public async Task The_compare_page_reads_both_versions_from_the_control_plane_and_the_model_page_links_to_it()
    {
        var name = await ConsoleServices.RegisterReadyModelAsync(Host, "compared");
        await Host.Client(ControlPlaneHost.OperatorKey).PromoteAsync(new PromoteRequest { Name = name, Version = "1", Reason = "first release" });
        await SignInAsync(ControlPlaneHost.ReaderKey);

        var model = Render<ModelDetail>(parameters => parameters.Add(p => p.Name, name));
        model.WaitForAssertion(() => Assert.Equal($"models/{name}/compare/1/2", model.Find("[data-test=compare-link]").GetAttribute("href")), Generous);

        var page = Render<Compare>(parameters => parameters.Add(p => p.Name, name).Add(p => p.Left, "1").Add(p => p.Right, "2"));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-test=compare] tbody tr")), Generous);
        var cells = page.FindAll("[data-test=compare] tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToList();
        Assert.Contains(["state", "production", "ready"], cells);
        Assert.Contains(cells, row => row[0] == "latency at batch 1" && row[1].EndsWith(" ms", StringComparison.Ordinal) && row[2].EndsWith(" ms", StringComparison.Ordinal));
        Assert.Equal(VersionComparison.Spans.Count, cells.Count(row => row[0] == "requests"));
        Assert.Equal(2, page.FindAll("[data-test=compare-config] pre").Count);
    }
}
