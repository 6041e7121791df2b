using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace MlopsAspire.LoadTest.Measurement;

/// <summary>Failed requests counted by status (a gRPC status code name, or what failed on the client).</summary>
public sealed class ErrorCounts
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);
    private long _total;

    public long Total => Interlocked.Read(ref _total);

    public void Add(string status)
    {
        var box = _counts.GetOrAdd(status, static _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
        Interlocked.Increment(ref _total);
    }

    public IReadOnlyDictionary<string, long> Snapshot() =>
        _counts.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .ToDictionary(pair => pair.Key, pair => Interlocked.Read(ref pair.Value.Value), StringComparer.Ordinal);
}
