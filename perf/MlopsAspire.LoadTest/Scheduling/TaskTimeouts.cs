namespace MlopsAspire.LoadTest.Scheduling;

/// <summary>Waits for a task with a time limit on a given clock, leaving no timer behind once the task is done.</summary>
internal static class TaskTimeouts
{
    /// <summary>
    /// Whether <paramref name="task"/> completed within <paramref name="timeout"/> on <paramref name="time"/>. A fault
    /// of the task itself is left for its owner to observe.
    /// </summary>
    public static async Task<bool> CompletesWithinAsync(this Task task, TimeSpan timeout, TimeProvider time)
    {
        try
        {
            await task.WaitAsync(timeout, time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            // The limit and the task may end at the same moment; the task counts.
            return task.IsCompleted;
        }
        catch (Exception) when (task.IsFaulted || task.IsCanceled)
        {
            return true;
        }
    }
}
