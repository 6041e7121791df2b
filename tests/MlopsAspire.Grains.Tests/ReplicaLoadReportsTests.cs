using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains.Tests;

/// <summary>
/// How long a replica's load report keeps it on the endpoint list and in the load summaries, on a clock the test moves:
/// a replica that stops reporting leaves the endpoint list after three missed reports and stops counting later.
/// </summary>
public sealed class ReplicaLoadReportsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, (DateTimeOffset ReportedAt, IReadOnlyList<VersionLoadStatus> Versions, string? GrpcAddress)> _reports = new(StringComparer.Ordinal);

    [Fact]
    public void A_replica_that_stops_reporting_leaves_the_endpoints_after_three_missed_reports_and_still_counts_until_its_reports_lapse()
    {
        Report("replica-a", "http://10.0.0.1:8001");
        Report("replica-b", "http://10.0.0.2:8001");
        Assert.Equal(["replica-a", "replica-b"], Endpoints());

        // replica-b is killed; replica-a keeps reporting on time.
        for (var reports = 1; reports < 3; reports++)
        {
            _time.Advance(ReplicaLoadReports.Interval);
            Report("replica-a", "http://10.0.0.1:8001");
            Assert.Equal(["replica-a", "replica-b"], Endpoints());
        }

        _time.Advance(ReplicaLoadReports.Interval);
        Assert.Equal(["replica-a", "replica-b"], Endpoints());
        _time.Advance(TimeSpan.FromSeconds(1));
        Report("replica-a", "http://10.0.0.1:8001");

        Assert.Equal(["replica-a"], Endpoints());
        var summary = Summary();
        Assert.Equal((2, 2), (summary.Replicas, summary.Loaded));

        _time.Advance(ReplicaLoadReports.Lifetime - ReplicaLoadReports.EndpointLifetime);
        Report("replica-a", "http://10.0.0.1:8001");
        Assert.Equal((1, 1), (Summary().Replicas, Summary().Loaded));
    }

    [Fact]
    public void Endpoints_stay_listed_for_three_report_intervals_and_no_longer()
    {
        var reportedAt = _time.GetUtcNow();

        _time.Advance(ReplicaLoadReports.Interval * 3);
        Assert.True(ReplicaLoadReports.IsListedAsEndpoint(reportedAt, _time.GetUtcNow()));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(ReplicaLoadReports.IsListedAsEndpoint(reportedAt, _time.GetUtcNow()));
        Assert.True(ReplicaLoadReports.EndpointLifetime < ReplicaLoadReports.Lifetime);
    }

    private void Report(string replica, string address) =>
        _reports[replica] = (_time.GetUtcNow(), [new VersionLoadStatus("1", VersionLoadState.Loaded, null, 0, null)], address);

    private VersionLoadSummary Summary() => Assert.Single(ReplicaLoadReports.Summarize(_reports, _time.GetUtcNow()));

    private string[] Endpoints() => [.. Summary().Endpoints.Select(endpoint => endpoint.ReplicaId)];
}
