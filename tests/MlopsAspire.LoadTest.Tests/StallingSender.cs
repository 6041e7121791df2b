using System.Diagnostics;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>
/// A server that answers at once, except that it freezes for <c>stallFor</c> starting <c>stallAfter</c> after the
/// first request: every request that arrives during the freeze is answered when it ends.
/// </summary>
internal sealed class StallingSender(TimeSpan stallAfter, TimeSpan stallFor) : IRequestSender
{
    private long _firstRequestTimestamp;

    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstRequestTimestamp, now, 0);
        var elapsed = Stopwatch.GetElapsedTime(Interlocked.Read(ref _firstRequestTimestamp), now);
        if (elapsed >= stallAfter && elapsed < stallAfter + stallFor)
        {
            await Task.Delay(stallAfter + stallFor - elapsed, cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A server that never answers; requests end only when cancelled.</summary>
internal sealed class HangingSender : IRequestSender
{
    public async ValueTask SendAsync(CancellationToken cancellationToken) => await Task.Delay(Timeout.Infinite, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
