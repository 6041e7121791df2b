namespace MlopsAspire.Serving.Batching;

/// <summary>
/// A request waiting in a <see cref="DynamicBatcher"/>. Exactly one party settles it: a worker that takes it into a
/// batch, or its cancellation or timeout while it is still queued. Settled entries stay in the queue until a worker
/// passes over them.
/// </summary>
internal sealed class QueuedRequest(DynamicBatcher owner, ExecutionRequest request, int rows, int level, long enqueuedAt, long expiresAt)
{
    private const int Waiting = 0;
    private const int Taken = 1;
    private const int Abandoned = 2;

    private readonly TaskCompletionSource<ExecutionOutputs> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _watchLock = new();
    private int _state;
    private CancellationTokenRegistration _cancellation;
    private ITimer? _timer;
    private bool _watchersReleased;

    public DynamicBatcher Owner { get; } = owner;

    public ExecutionRequest Request { get; } = request;

    public int Rows { get; } = rows;

    /// <summary>
    /// Bytes of the request's inputs, counted against the queue's byte bounds while it waits (read when it is queued
    /// and when it leaves the queue; its inputs do not change in between).
    /// </summary>
    public long Bytes => Request.Inputs.ByteLength;

    /// <summary>Zero-based priority level (0 is Triton's level 1, the highest).</summary>
    public int Level { get; } = level;

    public long EnqueuedAt { get; } = enqueuedAt;

    public long ExpiresAt { get; } = expiresAt;

    public Task<ExecutionOutputs> Task => _completion.Task;

    public bool IsWaiting => Volatile.Read(ref _state) == Waiting;

    /// <summary>
    /// Claims the request for a batch; false when it was cancelled or expired first. Called under the batcher's
    /// lock, so it takes no other lock: the worker releases the watchers after leaving the batcher's lock.
    /// </summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Waiting) == Waiting;

    /// <summary>Claims the request for a failure before compute; false when a worker took it first.</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting;

    public void Complete(ExecutionOutputs outputs)
    {
        if (!_completion.TrySetResult(outputs))
        {
            outputs.Dispose();
        }
    }

    public void Fail(Exception failure)
    {
        ReleaseWatchers();
        _completion.TrySetException(failure);
    }

    /// <summary>
    /// Watches the caller's token and the request's expiry while it waits. Lock order: this entry, then the
    /// batcher (a token already cancelled settles the request inline).
    /// </summary>
    public void Watch(TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        lock (_watchLock)
        {
            if (_watchersReleased)
            {
                return;
            }

            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static state => ((QueuedRequest)state!).Owner.OnCancelled((QueuedRequest)state!), this);
            }

            // A token that was already cancelled ran its callback inline and settled the request.
            if (ExpiresAt != long.MaxValue && !_watchersReleased)
            {
                var remaining = ExpiresAt - timeProvider.GetTimestamp();
                _timer = timeProvider.CreateTimer(
                    static state => ((QueuedRequest)state!).Owner.OnExpired((QueuedRequest)state!),
                    this,
                    remaining <= 0 ? TimeSpan.Zero : timeProvider.GetElapsedTime(0, remaining),
                    Timeout.InfiniteTimeSpan);
            }
        }

        // The clock may have passed the expiry while the timer was being set up for a later time.
        if (ExpiresAt != long.MaxValue && timeProvider.GetTimestamp() >= ExpiresAt)
        {
            Owner.OnExpired(this);
        }
    }

    public void ReleaseWatchers()
    {
        lock (_watchLock)
        {
            _watchersReleased = true;
            // Unregister, not Dispose: this may run inside the registration's own callback.
            _cancellation.Unregister();
            _timer?.Dispose();
        }
    }
}
