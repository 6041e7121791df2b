using System.Threading.Channels;

namespace MlopsAspire.Artifacts.Payloads;

/// <summary>
/// Logs payloads without making the caller wait for, encode for, or talk to the store: <see cref="TryAppend"/>
/// only enqueues, and one background loop drains the queue in batches (gathered for
/// <see cref="PayloadLogOptions.WriterBatchWindow"/>), each encoded into a pooled buffer and sent as one
/// pipelined round trip. A full queue (the store is slow or down) drops new payloads and counts
/// them; nothing ever blocks or fails the caller. Disposing flushes what is queued, within
/// <see cref="PayloadLogOptions.WriterFlushTimeout"/>.
/// </summary>
public sealed class PayloadLogWriter : IAsyncDisposable, IDisposable
{
    private readonly Channel<PayloadRecord> _queue;
    private readonly Func<IReadOnlyList<PayloadRecord>, Task> _writeBatch;
    private readonly PayloadLogOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _drain;
    private long _dropped;
    private long _written;
    private long _failed;

    public PayloadLogWriter(PayloadLog log, PayloadLogOptions? options = null)
        : this(log, options, (log ?? throw new ArgumentNullException(nameof(log))).WriteAsync)
    {
    }

    /// <param name="writeBatch">Where drained batches go (the log's <see cref="PayloadLog.WriteAsync"/>; replaceable to stall the store in tests).</param>
    internal PayloadLogWriter(PayloadLog log, PayloadLogOptions? options, Func<IReadOnlyList<PayloadRecord>, Task> writeBatch)
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

    /// <summary>Payloads the store acknowledged.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Payloads whose batch the store did not take (connection down, timeout, invalid record).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Payloads waiting to be written.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Queues a payload; false when it was dropped (counted in <see cref="Dropped"/>). Never blocks or throws.</summary>
    public bool TryAppend(PayloadRecord record)
    {
        if (record is not null && _queue.Writer.TryWrite(record))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    private async Task DrainAsync()
    {
        var batch = new List<PayloadRecord>(_options.WriterMaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
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

            try
            {
                await _writeBatch(batch).ConfigureAwait(false);
                Interlocked.Add(ref _written, batch.Count);
            }
            catch (Exception)
            {
                // Counted, not thrown: payload logging is best-effort and must not stop the loop.
                Interlocked.Add(ref _failed, batch.Count);
            }

            batch.Clear();
        }
    }

    /// <summary>Stops taking payloads; the queued ones are still written in the background, unawaited.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stopping.Cancel();
    }

    /// <summary>Stops taking payloads and waits (within the flush timeout) for the queued ones to be written.</summary>
    public async ValueTask DisposeAsync()
    {
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
