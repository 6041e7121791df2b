using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;
using MlopsAspire.Serving;
using static MlopsAspire.Inference.Tests.Eventually;
using MlopsAspire.Inference.Models;
using MlopsAspire.Inference.Pipeline;

namespace MlopsAspire.Inference.Tests;

/// <summary>The replica follows the control plane's routing table and survives its absence.</summary>
public sealed class RoutingTableSyncTests : IAsyncLifetime, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlopsaspire-sync-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeRoutingTableSource _tables = new();
    private readonly FakeArtifactSource _artifacts = new();
    private readonly ModelRepository _repository = new();
    private readonly IOptions<InferenceOptions> _options =
        Options.Create(new InferenceOptions { RoutingPollInterval = TimeSpan.FromMilliseconds(50), IntraOpThreads = 1 });
    private ModelSetReconciler _reconciler = null!;
    private RoutingTableSync _sync = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        foreach (var sha in new[] { "aa", "bb", "cc" })
        {
            var path = Path.Combine(_folder, sha + ".onnx");
            await File.WriteAllBytesAsync(path, IdentityModels.Create(elementType: 1, "x", "y", [-1]));
            _artifacts.Files[sha] = path;
        }

        _reconciler = new ModelSetReconciler(_repository, _options, NullLogger<ModelSetReconciler>.Instance);
        _sync = new RoutingTableSync(_tables, _artifacts, _reconciler, _repository, new TrafficRoutes(), _options, NullLogger<RoutingTableSync>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _sync.StopAsync(CancellationToken.None);
        Directory.Delete(_folder, recursive: true);
    }

    public void Dispose()
    {
        _sync.Dispose();
        _reconciler.Dispose();
        _repository.Dispose();
        _tables.Dispose();
    }

    [Fact]
    public async Task Applies_newer_tables_and_keeps_serving_while_the_control_plane_is_down()
    {
        _tables.Table = Table(1, Route("fraud", production: "1", ("1", "aa"), ("2", "bb")));
        await _sync.StartAsync(CancellationToken.None);

        await Until(() => _repository.IsReady);
        Assert.Equal(["1", "2"], _repository.GetVersions("fraud"));
        Assert.Equal("1", _repository.Resolve("fraud", null).Version);

        // Promotion of 2, retirement of 1, and a second model.
        _tables.Table = Table(2, Route("fraud", production: "2", ("2", "bb")), Route("churn", production: "5", ("5", "cc")));
        await Until(() => _sync.AppliedStamp == 2);
        Assert.Equal(["2"], _repository.GetVersions("fraud"));
        Assert.Equal("2", _repository.Resolve("fraud", null).Version);
        Assert.Equal("5", _repository.Resolve("churn", null).Version);

        // An older stamp is ignored.
        _tables.Table = Table(1, Route("fraud", production: "1", ("1", "aa")));
        var pollsBefore = _tables.Calls;
        // Two more polls: at least one of them read the older table from start to end.
        await Until(() => _tables.Calls >= pollsBefore + 2, "the older table read");
        Assert.Equal(2, _sync.AppliedStamp);
        Assert.Equal(["2"], _repository.GetVersions("fraud"));

        // Control plane unreachable: the last table keeps serving.
        _tables.Failing = true;
        var callsBefore = _tables.Calls;
        await Until(() => _tables.Calls > callsBefore + 2);
        Assert.True(_repository.IsReady);
        Assert.Equal("2", _repository.Resolve("fraud", null).Version);

        // Back again, with the model removed.
        _tables.Failing = false;
        _tables.Table = Table(3, Route("churn", production: "5", ("5", "cc")));
        await Until(() => _sync.AppliedStamp == 3);
        Assert.Equal(["churn"], _repository.ModelNames);
    }

    [Fact]
    public async Task A_version_whose_artifact_cannot_load_keeps_the_replica_not_ready_and_is_retried()
    {
        _tables.Table = Table(1, Route("fraud", production: "1", ("1", "missing")));
        await _sync.StartAsync(CancellationToken.None);

        var callsBefore = _tables.Calls;
        await Until(() => _tables.Calls > callsBefore + 2);
        Assert.False(_repository.IsReady);
        Assert.Equal(-1, _sync.AppliedStamp);

        _artifacts.Files["missing"] = _artifacts.Files["aa"];
        await Until(() => _repository.IsReady);
        Assert.Equal(1, _sync.AppliedStamp);
    }

    [Fact]
    public async Task A_change_notice_applies_the_new_table_without_waiting_for_the_next_poll()
    {
        _options.Value.RoutingPollInterval = TimeSpan.FromMinutes(1);
        _tables.Table = Table(1, Route("fraud", production: "1", ("1", "aa"), ("2", "bb")));
        await _sync.StartAsync(CancellationToken.None);
        await Until(() => _repository.IsReady);

        _tables.Table = Table(2, Route("fraud", production: "2", ("1", "aa"), ("2", "bb")));
        _tables.SignalChange();

        // Until gives up after 30 s, half the poll interval, and the source was read once more: the wake-up did it.
        await Until(() => _sync.AppliedStamp == 2);
        Assert.Equal("2", _repository.Resolve("fraud", null).Version);
        Assert.Equal(2, _tables.Calls);
    }

    private static RoutingTable Table(long stamp, params ModelRoute[] routes) => new(stamp, routes);

    private static ModelRoute Route(string model, string production, params (string Version, string Sha)[] versions) =>
        new(model, production, versions.Select(v => new ServedVersion(v.Version, v.Sha, 1, null)).ToList());

    private sealed class FakeRoutingTableSource : IRoutingTableSource, IDisposable
    {
        private readonly SemaphoreSlim _changes = new(0);
        private int _calls;

        public volatile RoutingTable Table = RoutingTable.Empty;
        public volatile bool Failing;

        public int Calls => Volatile.Read(ref _calls);

        public void Dispose() => _changes.Dispose();

        public Task<RoutingTable> GetRoutingTableAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Failing
                ? Task.FromException<RoutingTable>(new TimeoutException("control plane unreachable"))
                : Task.FromResult(Table);
        }

        /// <summary>What a push from the control plane does: wakes the waiting sync.</summary>
        public void SignalChange() => _changes.Release();

        public Task WaitForChangeAsync(CancellationToken cancellationToken) => _changes.WaitAsync(cancellationToken);
    }

    private sealed class FakeArtifactSource : IModelArtifactSource
    {
        public System.Collections.Concurrent.ConcurrentDictionary<string, string> Files { get; } = new();

        public Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken) =>
            Files.TryGetValue(sha256, out var path)
                ? Task.FromResult(path)
                : Task.FromException<string>(new FileNotFoundException($"no artifact {sha256}"));
    }
}
