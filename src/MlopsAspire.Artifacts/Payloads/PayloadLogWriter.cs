using System.Collections.Concurrent;
using System.Threading.Channels;

namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// Logs payloads without making the caller wait for, encode for, or talk to the store: <see cref="TryAppend"/>
/// only enqueues, and one background loop drains the queue in batches (gathered for
/// <see cref="PayloadLogOptions.WriterBatchWindow"/>), each encoded into a pooled buffer and sent as one
/// pipelined round trip. A full queue (the store is slow or down) drops new payloads and counts
/// them; so are payloads over the size limit (before they are queued), over their model's byte budget, and those
/// under a request id already waiting; nothing ever blocks or fails the caller. Disposing flushes what is queued, within
/// <see cref="PayloadLogOptions.WriterFlushTimeout"/>.
/// </summary>
public sealed class PayloadLogWriter : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan IdleShadowPoll = TimeSpan.FromMilliseconds(250);

    private readonly Channel<PayloadRecord> _queue;
    private readonly ConcurrentQueue<ShadowScoreRecord> _shadowScores = new();
    private int _shadowScoresQueued;
    private int _shadowScoresSeen;
    private long _shadowScoresWritten;
    private volatile bool _closed;
    private readonly Func<IReadOnlyList<PayloadRecord>, Task<PayloadWriteOutcome>> _writeBatch;
    private readonly PayloadLogOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _drain;
    private long _dropped;
    private long _written;
    private long _failed;
    private long _tooLarge;
    private long _overBudget;
    private long _duplicates;

    public PayloadLogWriter(PayloadLog log, PayloadLogOptions? options = null)
        : this(log, options, (log ?? throw new ArgumentNullException(nameof(log))).WriteAsync)
    {
    }

    /// <param name="writeBatch">Where drained batches go (the log's <see cref="PayloadLog.WriteAsync"/>; replaceable to stall the store in tests).</param>
    internal PayloadLogWriter(PayloadLog log, PayloadLogOptions? options, Func<IReadOnlyList<PayloadRecord>, Task<PayloadWriteOutcome>> writeBatch)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(writeBatch);
        _options = options ?? new PayloadLogOptions();
        _options.Validate();
        Log = log;
        _writeBatch = writeBatch;
        // Wait mode only so that TryWrite reports a full queue (it never waits); the caller counts the drop.
        _queue = Channel.CreateBounded<PayloadRecord>(new BoundedChannelOptions(_options.WriterQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _drain = Task.Run(DrainAsync);
    }

    /// <summary>The log written to, for what is not queued (shadow scores, joins).</summary>
    public PayloadLog Log { get; }

    /// <summary>Payloads dropped because the queue was full or the writer was disposed.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Payloads the store logged.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Payloads not logged because they were over <see cref="PayloadLogOptions.MaxPayloadBytes"/>.</summary>
    public long TooLarge => Interlocked.Read(ref _tooLarge);

    /// <summary>Payloads the store refused because their model's <see cref="PayloadLogOptions.MaxBytesPerModel"/> was spent.</summary>
    public long OverBudget => Interlocked.Read(ref _overBudget);

    /// <summary>Payloads not logged because a payload under the same request id was already waiting (which stays).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Payloads whose batch the store did not take (connection down, timeout, invalid record).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Payloads waiting to be written.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Shadow scores the store acknowledged.</summary>
    public long ShadowScoresWritten => Interlocked.Read(ref _shadowScoresWritten);

    /// <summary>
    /// Whether a payload of <paramref name="values"/> features and scores under <paramref name="requestId"/> is
    /// within <see cref="PayloadLogOptions.MaxPayloadBytes"/>; one that is not is counted in <see cref="TooLarge"/>.
    /// Asked before the payload is copied, so an oversized request costs nothing more.
    /// </summary>
    public bool Admits(int values, string requestId)
    {
        if (PayloadRecord.SizeOf(values, requestId) <= _options.MaxPayloadBytes)
        {
            return true;
        }

        Interlocked.Increment(ref _tooLarge);
        return false;
    }

    /// <summary>
    /// Queues a payload; false when it was dropped (counted in <see cref="Dropped"/>, or in <see cref="TooLarge"/>
    /// when over the size limit). Never blocks or throws.
    /// </summary>
    public bool TryAppend(PayloadRecord record)
    {
        if (record is not null && !Admits(record.Features.Length + record.Scores.Length, record.RequestId))
        {
            return false;
        }

        if (record is not null && _queue.Writer.TryWrite(record))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>
    /// Queues a shadow version's scores for a logged request; false when dropped (counted in <see cref="Dropped"/>).
    /// Never blocks, throws or wakes the writer: the caller is a low-priority shadow thread, and a wake-up could
    /// make the thread pool start a worker on that thread, which would inherit its priority. The scores go with
    /// the next batch of payloads (the request's own payload normally wakes the writer) or within a poll interval.
    /// </summary>
    public bool TryAppendShadowScores(ShadowScoreRecord record)
    {
        if (record is null || _closed)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }

        if (Interlocked.Increment(ref _shadowScoresQueued) > _options.WriterQueueCapacity)
        {
            Interlocked.Decrement(ref _shadowScoresQueued);
            Interlocked.Increment(ref _dropped);
            return false;
        }

        _shadowScores.Enqueue(record);
        Volatile.Write(ref _shadowScoresSeen, 1);
        return true;
    }

    private async Task DrainAsync()
    {
        var batch = new List<PayloadRecord>(_options.WriterMaxBatch);
        var shadowBatch = new List<ShadowScoreRecord>(_options.WriterMaxBatch);
        var reader = _queue.Reader;
        while (await WaitForWorkAsync(reader).ConfigureAwait(false))
        {
            if (reader.Count < _options.WriterMaxBatch && _options.WriterBatchWindow > TimeSpan.Zero)
            {
                // Disposal ends the wait early, so a flush does not sit out the window.
                await Task.Delay(_options.WriterBatchWindow, _stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            while (batch.Count < _options.WriterMaxBatch && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            if (batch.Count > 0)
            {
                try
                {
                    var outcome = await _writeBatch(batch).ConfigureAwait(false);
                    Interlocked.Add(ref _written, outcome.Logged);
                    Interlocked.Add(ref _duplicates, outcome.Duplicates);
                    Interlocked.Add(ref _overBudget, outcome.OverBudget);
                    Interlocked.Add(ref _tooLarge, outcome.TooLarge);
                }
                catch (Exception)
                {
                    // Counted, not thrown: payload logging is best-effort and must not stop the loop.
                    Interlocked.Add(ref _failed, batch.Count);
                }

                batch.Clear();
            }

            // After the payloads, so a shadow's scores never reach the store before the payload they belong to.
            while (shadowBatch.Count < _options.WriterMaxBatch && _shadowScores.TryDequeue(out var scores))
            {
                shadowBatch.Add(scores);
            }

            if (shadowBatch.Count > 0)
            {
                Interlocked.Add(ref _shadowScoresQueued, -shadowBatch.Count);
                try
                {
                    await Log.WriteShadowScoresAsync(shadowBatch).ConfigureAwait(false);
                    Interlocked.Add(ref _shadowScoresWritten, shadowBatch.Count);
                }
                catch (Exception)
                {
                    Interlocked.Add(ref _failed, shadowBatch.Count);
                }

                shadowBatch.Clear();
            }
        }
    }

    /// <summary>
    /// Waits for payloads. Shadow scores do not wake the loop, so once any have been queued it also looks for them
    /// every batch window while some are waiting, and every <see cref="IdleShadowPoll"/> otherwise. False once the
    /// queue is completed and no shadow scores are left.
    /// </summary>
    private async ValueTask<bool> WaitForWorkAsync(ChannelReader<PayloadRecord> reader)
    {
        if (Volatile.Read(ref _shadowScoresSeen) == 0)
        {
            return await reader.WaitToReadAsync().ConfigureAwait(false) || !_shadowScores.IsEmpty;
        }

        using var poll = new CancellationTokenSource(_shadowScores.IsEmpty ? IdleShadowPoll : ShadowPollInterval);
        try
        {
            return await reader.WaitToReadAsync(poll.Token).ConfigureAwait(false) || !_shadowScores.IsEmpty;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    private TimeSpan ShadowPollInterval => _options.WriterBatchWindow > TimeSpan.Zero ? _options.WriterBatchWindow : TimeSpan.FromMilliseconds(5);

    /// <summary>Stops taking payloads; the queued ones are still written in the background, unawaited.</summary>
    public void Dispose()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        _stopping.Cancel();
    }

    /// <summary>Stops taking payloads and waits (within the flush timeout) for the queued ones to be written.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _drain.WaitAsync(_options.WriterFlushTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The store did not take them in time; shutting down is not held up further.
        }
    }
}
