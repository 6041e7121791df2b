using System.Collections.Concurrent;
using MlopsAspire.Serving.Threading;

namespace MlopsAspire.Serving.Tests.Threading;

public sealed class LowPriorityWorkQueueTests
{
    [Fact]
    public async Task Items_run_in_order_on_a_named_dedicated_thread_below_request_threads()
    {
        using var queue = new LowPriorityWorkQueue("background-test", threads: 1, lowerPriority: true);
        var seen = new ConcurrentQueue<(int Item, string? Thread, bool PoolThread, bool IdleScheduled)>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 20; i++)
        {
            var item = i;
            Assert.True(queue.TryEnqueue(() =>
            {
                seen.Enqueue((item, Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, BackgroundThreadPriority.IsCurrentThreadIdleScheduled()));
                if (item == 19)
                {
                    done.SetResult();
                }
            }));
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 20), seen.Select(entry => entry.Item));
        Assert.All(seen, entry =>
        {
            Assert.Equal("background-test", entry.Thread);
            Assert.False(entry.PoolThread);
            Assert.Equal(queue.Priority == LoweredPriority.IdleScheduling, entry.IdleScheduled);
        });

        if (OperatingSystem.IsLinux())
        {
            // Lowering needs no privilege on Linux; SCHED_IDLE is refused only by unusual kernels or sandboxes.
            Assert.True(queue.Priority is LoweredPriority.IdleScheduling or LoweredPriority.Nice19, $"granted {queue.Priority}");
        }
    }

    [Fact]
    public async Task A_failing_item_is_reported_and_later_items_still_run()
    {
        var faults = new ConcurrentQueue<Exception>();
        using var queue = new LowPriorityWorkQueue("background-test", threads: 2, lowerPriority: true, faults.Enqueue);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.True(queue.TryEnqueue(() => throw new InvalidOperationException("broken item")));
        Assert.True(queue.TryEnqueue(done.SetResult));

        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Until(() => !faults.IsEmpty);
        Assert.Equal("broken item", Assert.Single(faults).Message);
    }

    [Fact]
    public void Normal_priority_is_kept_when_not_asked_to_lower()
    {
        using var queue = new LowPriorityWorkQueue("background-test", threads: 1, lowerPriority: false);
        Assert.Equal(LoweredPriority.None, queue.Priority);
    }

    [Fact]
    public void A_disposed_queue_takes_no_more_items_and_bad_thread_counts_are_refused()
    {
        var queue = new LowPriorityWorkQueue("background-test", threads: 1, lowerPriority: true);
        queue.Dispose();
        Assert.False(queue.TryEnqueue(() => { }));

        Assert.Throws<ArgumentOutOfRangeException>(() => new LowPriorityWorkQueue("background-test", threads: 0, lowerPriority: true));
        Assert.Throws<ArgumentException>(() => new LowPriorityWorkQueue(" ", threads: 1, lowerPriority: true));
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 30 s");
            await Task.Delay(10);
        }
    }
}
