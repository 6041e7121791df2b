using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Abstractions;
using MlopsAspire.Serving;
using static MlopsAspire.Inference.Tests.Eventually;
using MlopsAspire.Inference.Models;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// A version that cannot load shows (state and error per version, health, repository index, metric) and is retried
/// with exponential backoff on the injected clock, not at every poll.
/// </summary>
public sealed class VersionLoadFailureTests : IAsyncLifetime, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlopsaspire-load-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ModelRepository _repository = new();
    private readonly Dictionary<string, string> _files = [];
    private readonly List<string> _fetches = [];
    private readonly IOptions<InferenceOptions> _options = Options.Create(new InferenceOptions
    {
        IntraOpThreads = 1,
        RoutingPollInterval = TimeSpan.FromSeconds(1),
        LoadRetryInitialDelay = TimeSpan.FromSeconds(2),
        LoadRetryMaxDelay = TimeSpan.FromSeconds(16),
    });

    private VersionLoadStates _loads = null!;
    private ModelSetReconciler _reconciler = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "good.onnx");
        await File.WriteAllBytesAsync(path, IdentityModels.Create(elementType: 1, "x", "y", [-1]));
        _files["good"] = path;
        _loads = new VersionLoadStates(_options, _time);
        _reconciler = new ModelSetReconciler(_repository, _options, NullLogger<ModelSetReconciler>.Instance, _loads);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _reconciler.Dispose();
        _repository.Dispose();
    }

    [Fact]
    public async Task A_version_that_cannot_load_is_retried_after_2_4_8_and_16_seconds_then_every_16()
    {
        DesiredVersion[] desired = [new("fraud", "1", "good"), new("fraud", "2", "missing")];
        var attemptsAt = new List<double>();
        var start = _time.GetUtcNow();
        for (var second = 0; second <= 62; second++)
        {
            var before = Fetches("missing");
            await ApplyAsync(desired);
            if (Fetches("missing") > before)
            {
                attemptsAt.Add((_time.GetUtcNow() - start).TotalSeconds);
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([0, 2, 6, 14, 30, 46, 62], attemptsAt);
        var failed = Assert.Single(_loads.Snapshot(), load => load.Version == "2");
        Assert.Equal(VersionLoadState.Failed, failed.State);
        Assert.Equal(7, failed.FailedAttempts);
        Assert.Contains("no artifact missing", failed.Error);
        Assert.Equal(VersionLoadState.Loaded, Assert.Single(_loads.Snapshot(), load => load.Version == "1").State);

        // A new artifact for the version is tried at once, whatever the backoff.
        _files["fixed"] = _files["good"];
        Assert.True(await ApplyAsync([new("fraud", "1", "good"), new("fraud", "2", "fixed")]));
        var loaded = Assert.Single(_loads.Snapshot(), load => load.Version == "2");
        Assert.Equal((VersionLoadState.Loaded, 0, (string?)null), (loaded.State, loaded.FailedAttempts, loaded.Error));
        Assert.Equal(7, loaded.TotalFailures);
    }

    [Fact]
    public async Task The_sync_polls_every_second_but_tries_a_failing_version_only_when_its_backoff_is_over()
    {
        var tables = new StaticRoutingTableSource(new RoutingTable(1,
        [
            new ModelRoute("fraud", "1", [new ServedVersion("1", "good", 1, null), new ServedVersion("2", "missing", 1, null, ServedVersionRole.Shadow)]),
        ]));
        var sync = new RoutingTableSync(
            tables, new FileSource(this), _reconciler, _repository, new TrafficRoutes(), _options, NullLogger<RoutingTableSync>.Instance, _time);
        await sync.StartAsync(CancellationToken.None);
        try
        {
            await Until(() => tables.Waits == 1, "first table applied");
            Assert.Equal(1, Fetches("missing"));
            Assert.False(_repository.IsReady);

            // Ten polls in ten seconds: tries at 2 s and 6 s only.
            for (var poll = 2; poll <= 11; poll++)
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                await Until(() => tables.Waits == poll, $"poll {poll}");
            }

            Assert.Equal(3, Fetches("missing"));
            Assert.Equal(1, Fetches("good"));
        }
        finally
        {
            await sync.StopAsync(CancellationToken.None);
            sync.Dispose();
        }
    }

    [Fact]
    public async Task A_failing_version_shows_in_health_the_repository_index_and_the_versions_metric()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        _ = new InferenceMetrics(meters, _repository, loads: _loads);
        Assert.True(await ApplyAsync([new("fraud", "1", "good")]));
        _repository.SetReady(true);
        var health = new ModelsReadyHealthCheck(_repository, _loads);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        Assert.False(await ApplyAsync([new("fraud", "1", "good"), new("fraud", "2", "missing")]));

        var checkedHealth = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, checkedHealth.Status);
        Assert.Contains("model 'fraud' version 2 failed to load (1 attempt, next at", checkedHealth.Description);
        Assert.Contains("no artifact missing", checkedHealth.Description);

        var index = await new RoutingTableModelControl(_repository, _loads).IndexAsync(readyOnly: false, CancellationToken.None);
        Assert.Equal(
            [("fraud", "1", "READY"), ("fraud", "2", "UNAVAILABLE")],
            index.Select(entry => (entry.Name, entry.Version, entry.State)));
        Assert.Contains("no artifact missing", index[1].Reason);
        Assert.Equal([("fraud", "1")], (await new RoutingTableModelControl(_repository, _loads).IndexAsync(readyOnly: true, CancellationToken.None)).Select(entry => (entry.Name, entry.Version)));

        Assert.Equal(new Dictionary<string, long> { ["loaded"] = 1, ["failed"] = 1 }, ObserveVersionsByState(meters));
    }

    private int Fetches(string key)
    {
        lock (_fetches)
        {
            return _fetches.Count(fetch => fetch == key);
        }
    }

    private Task<bool> ApplyAsync(IReadOnlyList<DesiredVersion> desired) =>
        _reconciler.ApplyAsync(
            desired,
            new Dictionary<string, string?> { ["fraud"] = "1" },
            (version, _) => Fetch(version.ContentKey),
            CancellationToken.None);

    private Task<string> Fetch(string key)
    {
        lock (_fetches)
        {
            _fetches.Add(key);
        }

        return _files.TryGetValue(key, out var path)
            ? Task.FromResult(path)
            : Task.FromException<string>(new FileNotFoundException($"no artifact {key}"));
    }

    /// <summary>The gauge of this test's meters only: replicas of other tests in this process publish one of the same name.</summary>
    private static Dictionary<string, long> ObserveVersionsByState(IMeterFactory meters)
    {
        var observed = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, meterListener) =>
        {
            if (instrument.Meter.Name == InferenceMetrics.MeterName && instrument.Name == "mlops.inference.versions" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                meterListener.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            var state = (string)tags.ToArray().Single(tag => tag.Key == "state").Value!;
            observed[state] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return observed;
    }

    private sealed class FileSource(VersionLoadFailureTests tests) : IModelArtifactSource
    {
        public Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken) => tests.Fetch(sha256);
    }

    /// <summary>One table, read at every poll; counts the waits between polls (each follows a finished poll).</summary>
    private sealed class StaticRoutingTableSource(RoutingTable table) : IRoutingTableSource
    {
        private int _waits;

        public int Waits => Volatile.Read(ref _waits);

        public Task<RoutingTable> GetRoutingTableAsync(CancellationToken cancellationToken) => Task.FromResult(table);

        public Task WaitForChangeAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _waits);
            return Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
