using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using MlopsAspire.Artifacts.Payloads;
using MlopsAspire.Store;
using StackExchange.Redis;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// What the payload writer sends the store per batch, against an embedded Garnet in this process (so the store's CPU
/// counts too): 256 fraud-sized payloads (12 features, a score, a 32-character id) written by the byte-budget script
/// of <see cref="PayloadLog.WriteAsync"/>, against the baseline of one pipelined <c>SET … PX</c> per payload, the
/// command the log sent before it kept a budget. The baseline's values are encoded once in set-up; the log encodes
/// every call.
/// </summary>
[MemoryDiagnoser]
public class PayloadLogBenchmarks
{
    private const int BatchSize = 256;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PayloadRecord[] _records = new PayloadRecord[BatchSize];
    private readonly byte[][] _values = new byte[BatchSize][];
    private string _dataDirectory = "";
    private EmbeddedGarnetServer? _store;
    private ConnectionMultiplexer? _redis;
    private PayloadLog? _log;
    private long _call;

    [GlobalSetup]
    public void SetUp()
    {
        _dataDirectory = Directory.CreateTempSubdirectory("mlops-payload-bench-").FullName;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        _store = EmbeddedGarnetServer.Start(new EmbeddedGarnetOptions { Port = port, DataDirectory = _dataDirectory }, NullLoggerFactory.Instance);
        _redis = ConnectionMultiplexer.Connect(_store.Endpoint);
        // Room for every payload of the run: this measures the write, not the refusal.
        _log = new PayloadLog(_redis, new PayloadLogOptions { KeyPrefix = "bench:", JoinWindow = Window, MaxBytesPerModel = long.MaxValue / 2 });
        var random = new Random(1);
        for (var i = 0; i < BatchSize; i++)
        {
            var features = Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble()).ToArray();
            _records[i] = new PayloadRecord("fraud", "1", Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow, 12, features, [(float)random.NextDouble()]);
            // The stored layout's length: version, three strings, time, feature count and the two arrays.
            _values[i] = new byte[1 + 6 + 2 + 33 + 8 + 4 + 4 + 48 + 4 + 4];
            random.NextBytes(_values[i]);
        }
    }

    [GlobalCleanup]
    public async Task CleanUp()
    {
        await _redis!.DisposeAsync();
        await _store!.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "256 pipelined SET PX (before)")]
    public async Task PipelinedSets()
    {
        var call = Interlocked.Increment(ref _call);
        var batch = _redis!.GetDatabase().CreateBatch();
        var last = Task.CompletedTask;
        for (var i = 0; i < BatchSize; i++)
        {
            var flags = i == BatchSize - 1 ? CommandFlags.None : CommandFlags.FireAndForget;
            last = batch.StringSetAsync($"bench:pending:fraud:{call}-{i}", _values[i], Window, flags: flags);
        }

        batch.Execute();
        await last;
    }

    [Benchmark(Description = "PayloadLog.WriteAsync of 256 (budget script)")]
    public Task<PayloadWriteOutcome> BudgetScript()
    {
        var call = Interlocked.Increment(ref _call);
        var records = new PayloadRecord[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            records[i] = _records[i] with { RequestId = $"{call}-{i}" };
        }

        return _log!.WriteAsync(records);
    }
}
