using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>
/// Requests over long-lived bidirectional ModelStreamInfer streams, several outstanding per stream, matched to
/// their responses by request id (a server may answer out of order). Requests are spread round-robin over
/// the streams; a stream that breaks fails its outstanding requests and is reopened on the next send.
/// </summary>
public sealed class StreamInferSender : IRequestSender, IReportsServerBatching
{
    private readonly IReadOnlyList<GrpcChannel> _channels;
    private readonly InferRequestSet _requests;
    private readonly bool _ownsChannels;
    private readonly InferStream?[] _streams;
    private readonly Lock _openLock = new();
    private readonly CancellationTokenSource _disposed = new();
    private long _nextStream = -1;
    private long _nextId;

    public StreamInferSender(IReadOnlyList<GrpcChannel> channels, InferRequestSet requests, int streamCount, bool ownsChannels = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(streamCount, 1);
        _channels = channels;
        _requests = requests;
        _ownsChannels = ownsChannels;
        _streams = new InferStream?[streamCount];
    }

    public async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var slot = (int)((ulong)Interlocked.Increment(ref _nextStream) % (ulong)_streams.Length);
        var stream = GetOrOpen(slot);
        // The shared template keeps its payload (ByteString is immutable); only the id differs per send.
        var request = _requests.Next().Clone();
        request.Id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await stream.InferAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public Task<ServerBatching?> ReadServerBatchingAsync(CancellationToken cancellationToken) =>
        ModelStatisticsReader.ReadAsync(_channels, _requests.ModelName, cancellationToken);

    private InferStream GetOrOpen(int slot)
    {
        var stream = Volatile.Read(ref _streams[slot]);
        if (stream is { IsBroken: false })
        {
            return stream;
        }

        lock (_openLock)
        {
            stream = _streams[slot];
            if (stream is null || stream.IsBroken)
            {
                var client = new GRPCInferenceService.GRPCInferenceServiceClient(_channels[slot % _channels.Count]);
                stream = new InferStream(client.ModelStreamInfer(cancellationToken: _disposed.Token));
                Volatile.Write(ref _streams[slot], stream);
            }

            return stream;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var stream in _streams)
        {
            if (stream is not null)
            {
                await stream.CompleteAsync().ConfigureAwait(false);
            }
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        foreach (var stream in _streams)
        {
            stream?.Dispose();
        }

        if (_ownsChannels)
        {
            foreach (var channel in _channels)
            {
                channel.Dispose();
            }
        }

        _disposed.Dispose();
    }

    private sealed class InferStream : IDisposable
    {
        private readonly AsyncDuplexStreamingCall<ModelInferRequest, ModelStreamInferResponse> _call;
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
        private readonly Task _reading;
        private long _sequence;
        private volatile bool _broken;

        public InferStream(AsyncDuplexStreamingCall<ModelInferRequest, ModelStreamInferResponse> call)
        {
            _call = call;
            _reading = Task.Run(ReadResponsesAsync);
        }

        public bool IsBroken => _broken;

        public async Task InferAsync(ModelInferRequest request, CancellationToken cancellationToken)
        {
            var pending = new Pending(Interlocked.Increment(ref _sequence));
            _pending[request.Id] = pending;
            try
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    // gRPC allows one write at a time per stream.
                    await _call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _writeLock.Release();
                }

                await pending.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not StreamInferException)
            {
                if (exception is RpcException)
                {
                    _broken = true;
                }

                throw;
            }
            finally
            {
                _pending.TryRemove(request.Id, out _);
            }
        }

        private async Task ReadResponsesAsync()
        {
            Exception failure;
            try
            {
                await foreach (var response in _call.ResponseStream.ReadAllAsync().ConfigureAwait(false))
                {
                    var id = response.InferResponse?.Id;
                    var pending = !string.IsNullOrEmpty(id) && _pending.TryGetValue(id, out var found) ? found : OldestPending();
                    if (pending is null)
                    {
                        continue;
                    }

                    if (!string.IsNullOrEmpty(response.ErrorMessage))
                    {
                        pending.Completion.TrySetException(new StreamInferException(response.ErrorMessage));
                    }
                    else if (response.InferResponse is null || response.InferResponse.Outputs.Count == 0)
                    {
                        pending.Completion.TrySetException(new InvalidResponseException("a stream response came without outputs"));
                    }
                    else
                    {
                        pending.Completion.TrySetResult();
                    }
                }

                failure = new RpcException(new Status(StatusCode.Unavailable, "the server closed the inference stream"));
            }
            catch (Exception exception)
            {
                failure = exception;
            }

            _broken = true;
            foreach (var pending in _pending.Values)
            {
                pending.Completion.TrySetException(failure);
            }
        }

        /// <summary>An error without a request id is taken to answer the oldest outstanding request.</summary>
        private Pending? OldestPending() => _pending.Values.MinBy(pending => pending.Sequence);

        public async Task CompleteAsync()
        {
            try
            {
                await _writeLock.WaitAsync().ConfigureAwait(false);
                try
                {
                    if (!_broken)
                    {
                        await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    _writeLock.Release();
                }

                await _reading.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is RpcException or InvalidOperationException or TimeoutException)
            {
                // Closing a stream that already failed; nothing is waiting on it any more.
            }
        }

        public void Dispose()
        {
            _call.Dispose();
            _writeLock.Dispose();
        }

        private sealed class Pending(long sequence)
        {
            public long Sequence { get; } = sequence;

            public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
