using MlopsAspire.Inference.Protocol;
using MlopsAspire.Serving.Batching;

namespace MlopsAspire.Inference;

/// <summary>
/// Gives the memory of a flood back to the system once it is over. Queued requests hold their messages (a
/// ResNet-18 image is 602 KB, on the large object heap); when a flood ends they are garbage, but a replica
/// that then goes quiet allocates too little to start another full collection, so the process keeps its peak
/// size for as long as it stays quiet. After the queues turned requests away for lack of room (or held at least
/// <see cref="FloodBytes"/>) and have drained, one aggressive full collection compacts the heap and returns the free memory (and lets the shared
/// array pool trim). Requests refused for their size (<see cref="OversizedMessages"/>) count as a flood too: each
/// was read up to the message limit first (a small gzip message inflated that far), and a burst of them left as
/// much garbage; their collection waits for a check that saw no new one. At most once per
/// <see cref="MinimumInterval"/>, since it pauses the process. Without a batcher there are no queues, only
/// oversized requests.
/// </summary>
public sealed partial class QueueFloodMemoryRelease(OversizedMessages oversized, TimeProvider timeProvider, ILogger<QueueFloodMemoryRelease> logger, QueueByteBudget? budget = null)
    : BackgroundService
{
    /// <summary>Queued bytes that count as a flood even without a refusal: about a hundred images, far beyond a busy replica's usual queue.</summary>
    public const long FloodBytes = 64L * 1024 * 1024;

    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private bool _flooded;
    private long _lastRelease = long.MinValue;

    /// <summary>Collections done so far.</summary>
    public int Releases { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                CheckOnce();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Looks at the queues once and collects when a flood has just drained.</summary>
    public bool CheckOnce()
    {
        var (peak, refusals) = budget?.TakePressure() ?? (0, 0);
        if (!FloodIsOver(peak, refusals, budget?.Used ?? 0, oversized.Take()))
        {
            return false;
        }

        var before = GC.GetTotalMemory(forceFullCollection: false);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Releases++;
        var after = GC.GetTotalMemory(forceFullCollection: false);
        LogReleased(before, after);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A flood (of queued requests, or of requests refused for their size) is over; a full collection took the managed heap from {Before} to {After} bytes")]
    private partial void LogReleased(long before, long after);

    /// <summary>Whether a flood happened since the last release and is over now.</summary>
    private bool FloodIsOver(long peak, long refusals, long used, long oversizedRefusals)
    {
        _flooded |= peak >= FloodBytes || refusals > 0 || oversizedRefusals > 0;
        var now = timeProvider.GetTimestamp();
        // Oversized requests still arriving each hold up to the limit while they are read: wait for a quiet check.
        if (!_flooded || oversizedRefusals > 0 || used >= FloodBytes / 8
            || (_lastRelease != long.MinValue && timeProvider.GetElapsedTime(_lastRelease, now) < MinimumInterval))
        {
            return false;
        }

        _flooded = false;
        _lastRelease = now;
        return true;
    }
}
