using MlopsAspire.Cli.Tests;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>
/// A server on a test's clock: a request that arrives <c>t</c> after the clock was made is answered
/// <c>answerAfter(t)</c> later on that clock; at once for zero, and never (only cancelled) for an infinite span.
/// It keeps, in step with the clock's timers, what a driver of the clock needs to know that the work of a moment is
/// done: each change of its counts is made together with the timer it sets, under the clock's lock.
/// </summary>
internal sealed class ClockedServer(SteppedClock clock, Func<TimeSpan, TimeSpan> answerAfter) : IRequestSender
{
    private readonly List<TimeSpan> _arrivals = [];
    private int _answering;
    private int _busy;
    private int _waitingOnClock;

    /// <summary>When each request arrived, as time on the clock, in order.</summary>
    public IReadOnlyList<TimeSpan> Arrivals => clock.Update(() => _arrivals.ToList());

    public int Calls => clock.Update(() => _arrivals.Count);

    /// <summary>Requests that arrived and have not been answered.</summary>
    public int Answering => clock.Update(() => _answering);

    /// <summary>Requests being handled right now, neither waiting for their answer nor answered.</summary>
    public int Busy => clock.Update(() => _busy);

    /// <summary>Requests waiting for a timer on the clock; each holds one until it fires.</summary>
    public int WaitingOnClock => clock.Update(() => _waitingOnClock);

    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var arrived = clock.Update(() =>
        {
            _answering++;
            _busy++;
            _arrivals.Add(clock.Elapsed);
            return clock.Elapsed;
        });
        try
        {
            var wait = answerAfter(arrived);
            if (wait == Timeout.InfiniteTimeSpan)
            {
                await UntilCancelledAsync(cancellationToken);
            }
            else if (wait > TimeSpan.Zero)
            {
                await OnClockAsync(wait, cancellationToken);
            }
        }
        finally
        {
            clock.Update(() =>
            {
                _answering--;
                _busy--;
            });
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Waits for a timer; it is busy again once the timer has fired (the timer is no longer pending).</summary>
    private async Task OnClockAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var waiting = clock.Update(() =>
        {
            var delay = Task.Delay(wait, clock, cancellationToken);
            _busy--;
            _waitingOnClock++;
            return delay;
        });
        try
        {
            await waiting.ConfigureAwait(false);
        }
        finally
        {
            clock.Update(() =>
            {
                _busy++;
                _waitingOnClock--;
            });
        }
    }

    /// <summary>
    /// Never answers. No timer shows when it wakes, so it is counted busy again the moment it is cancelled, while the
    /// cancelling runs, not when its continuation gets to run.
    /// </summary>
    private async Task UntilCancelledAsync(CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource();
        clock.Update(() => _busy--);
        using (cancellationToken.Register(() =>
        {
            clock.Update(() => _busy++);
            cancelled.TrySetCanceled(cancellationToken);
        }))
        {
            await cancelled.Task.ConfigureAwait(false);
        }
    }
}
