using Grpc.Core;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>The requests scheduled in one second of an open-model load: how many, which failed, and how long each took.</summary>
public sealed class LoadSecond(int index)
{
    private readonly Lock _lock = new();
    private readonly List<double> _latencies = [];
    private readonly Dictionary<StatusCode, int> _failures = [];

    /// <summary>Seconds from the start of the load.</summary>
    public int Index { get; } = index;

    public int Sent
    {
        get
        {
            lock (_lock)
            {
                return _latencies.Count + _failures.Values.Sum();
            }
        }
    }

    public int FailedCount
    {
        get
        {
            lock (_lock)
            {
                return _failures.Values.Sum();
            }
        }
    }

    public IReadOnlyDictionary<StatusCode, int> Failures
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<StatusCode, int>(_failures);
            }
        }
    }

    /// <summary>Latencies (seconds from the intended send time) of the requests that succeeded.</summary>
    public IReadOnlyList<double> Latencies
    {
        get
        {
            lock (_lock)
            {
                return [.. _latencies];
            }
        }
    }

    internal void Succeeded(double latencySeconds)
    {
        lock (_lock)
        {
            _latencies.Add(latencySeconds);
        }
    }

    internal void Failed(StatusCode status)
    {
        lock (_lock)
        {
            _failures[status] = _failures.GetValueOrDefault(status) + 1;
        }
    }
}
