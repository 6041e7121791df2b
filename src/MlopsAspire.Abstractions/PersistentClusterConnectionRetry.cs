using Microsoft.Extensions.Logging;

namespace MlopsAspire.Abstractions;

/// <summary>Keeps retrying the first connection to the cluster instead of failing a client's startup (replicas, training workers).</summary>
public sealed partial class PersistentClusterConnectionRetry(ILogger<PersistentClusterConnectionRetry> logger) : IClientConnectionRetryFilter
{
    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempts);
        LogRetrying(exception, attempt);
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), cancellationToken);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not connect to the control plane (attempt {Attempt}); retrying")]
    private partial void LogRetrying(Exception exception, int attempt);
}
