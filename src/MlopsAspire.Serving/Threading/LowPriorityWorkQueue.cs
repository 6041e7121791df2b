using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace MlopsAspire.Serving.Threading;

/// <summary>
/// Dedicated threads, lowered below request threads (see <see cref="BackgroundThreadPriority"/>), that run queued
/// work items. Work that must never take a core from production (shadow scoring) goes here rather than to the
/// thread pool, where it would run at the same priority as the requests it copies. Callers bound what they
/// queue; a failing item is reported to the fault callback and the thread goes on.
/// </summary>
/// <remarks>
/// Request threads and these threads share no lock: queuing is a lock-free enqueue, and the threads poll for
/// work instead of being signalled. A low-priority thread preempted while holding a lock that a request thread
/// needs would make the request wait for an idle core (priority inversion); and a signal that wakes a waiter
/// can also make the thread pool start a worker, which would inherit the low priority. Polling costs one
/// wake-up per <see cref="MaxPollInterval"/> at most while idle.
/// </remarks>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "It is a queue of work items, served by its own threads.")]
public sealed class LowPriorityWorkQueue : IDisposable
{
    /// <summary>The longest an idle thread sleeps before looking for work again.</summary>
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentQueue<Action> _work = new();
    private readonly Thread[] _threads;
    private readonly Action<Exception> _onFault;
    private readonly ManualResetEventSlim _firstStarted = new();
    private volatile int _granted;
    private volatile bool _disposed;

    /// <param name="name">Thread name prefix, shown by debuggers and <c>top -H</c>.</param>
    /// <param name="threads">How many threads run items (at least 1).</param>
    /// <param name="lowerPriority">False keeps the threads at normal priority (for comparison runs).</param>
    /// <param name="onFault">Told about items that threw.</param>
    public LowPriorityWorkQueue(string name, int threads, bool lowerPriority, Action<Exception>? onFault = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threads, 256);
        _onFault = onFault ?? (_ => { });
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(() => Run(lowerPriority))
            {
                IsBackground = true,
                Name = threads == 1 ? name : $"{name}-{i + 1}",
            };
            _threads[i].Start();
        }

        _firstStarted.Wait();
    }

    /// <summary>What the system granted the threads.</summary>
    public LoweredPriority Priority => (LoweredPriority)_granted;

    public int ThreadCount => _threads.Length;

    /// <summary>Queues an item (it starts within a poll interval); false once the queue is disposed.</summary>
    public bool TryEnqueue(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_disposed)
        {
            return false;
        }

        _work.Enqueue(work);
        return true;
    }

    private void Run(bool lowerPriority)
    {
        var granted = lowerPriority ? BackgroundThreadPriority.LowerCurrentThread() : LoweredPriority.None;
        _granted = (int)granted;
        _firstStarted.Set();
        var idleSleepMs = 1;
        while (true)
        {
            if (_work.TryDequeue(out var work))
            {
                idleSleepMs = 1;
                try
                {
                    work();
                }
                catch (Exception exception)
                {
                    _onFault(exception);
                }

                continue;
            }

            if (_disposed)
            {
                return;
            }

            // Back off while idle: 1 ms right after work (shadow copies come in bursts), up to the poll interval.
            Thread.Sleep(idleSleepMs);
            idleSleepMs = Math.Min(idleSleepMs * 2, (int)MaxPollInterval.TotalMilliseconds);
        }
    }

    /// <summary>Stops taking items; the threads finish what is queued and end.</summary>
    public void Dispose() => _disposed = true;
}
