using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlopsAspire.Serving.Batching;

/// <summary>
/// The platform's executor: one <see cref="DynamicBatcher"/> per loaded model version, created on the version's
/// first request with its <see cref="OnnxModel.Batching"/> options. When a version is unloaded its batcher stops
/// taking requests and finishes the queued ones (they hold leases, so the session lives until they are answered);
/// a request that leased the version just before it was unloaded runs on its own. Every batcher's queue draws on
/// one <see cref="QueueByteBudget"/>, so that the bytes queued for all models together stay bounded too.
/// </summary>
public sealed partial class BatchingInferenceExecutor : IInferenceExecutor, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<OnnxModel, DynamicBatcher> _batchers = new(ReferenceEqualityComparer.Instance);
    private readonly Lock _createLock = new();
    private readonly ILogger _logger;
    private readonly InlineInferenceExecutor _inline;
    private readonly List<Task> _draining = [];
    private readonly Func<OnnxModel, SessionRunner>? _runners;
    private bool _disposed;

    /// <param name="queueBudget">What every queue together may hold; default <see cref="QueueByteBudget.DefaultLimit"/>.</param>
    public BatchingInferenceExecutor(TimeProvider? timeProvider = null, ILogger<BatchingInferenceExecutor>? logger = null, QueueByteBudget? queueBudget = null)
        : this(timeProvider, logger, runners: null, queueBudget)
    {
    }

    internal BatchingInferenceExecutor(TimeProvider? timeProvider, ILogger<BatchingInferenceExecutor>? logger, Func<OnnxModel, SessionRunner>? runners, QueueByteBudget? queueBudget = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _inline = new InlineInferenceExecutor(TimeProvider);
        _runners = runners;
        QueueBudget = queueBudget ?? new QueueByteBudget(QueueByteBudget.DefaultLimit);
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>The bytes every batcher's queue may hold together.</summary>
    public QueueByteBudget QueueBudget { get; }

    /// <summary>The batchers of versions that received requests and are still loaded.</summary>
    public IReadOnlyCollection<DynamicBatcher> Batchers => [.. _batchers.Values];

    public DynamicBatcher? FindBatcher(OnnxModel model) => _batchers.GetValueOrDefault(model);

    public ValueTask<ExecutionOutputs> ExecuteAsync(OnnxModel model, ExecutionRequest request, CancellationToken cancellationToken)
    {
        if (_batchers.TryGetValue(model, out var batcher) || (batcher = Create(model)) is not null)
        {
            return batcher.EnqueueAsync(request, cancellationToken);
        }

        return _inline.ExecuteAsync(model, request, cancellationToken);
    }

    private DynamicBatcher? Create(OnnxModel model)
    {
        DynamicBatcher batcher;
        lock (_createLock)
        {
            if (_batchers.TryGetValue(model, out var existing))
            {
                return existing;
            }

            if (_disposed)
            {
                throw InferenceException.Unavailable($"the server is shutting down; model '{model.Name}' version '{model.Version}' takes no more requests");
            }

            if (model.IsUnloading)
            {
                return null;
            }

            batcher = new DynamicBatcher(model, model.Batching, TimeProvider, _logger, _runners?.Invoke(model), QueueBudget);
            _batchers[model] = batcher;
        }

        LogBatching(
            _logger,
            model.Name,
            model.Version,
            batcher.Options.MaxBatchSize,
            batcher.Options.MaxQueueDelay.TotalMicroseconds,
            batcher.Options.InstanceCount,
            batcher.Options.MaxQueueSize,
            batcher.Options.MaxQueueBytes);
        // Runs at once when the version was unloaded meanwhile.
        model.Unloading.UnsafeRegister(static state => ((BatchingInferenceExecutor)state!).OnUnloading(), this);
        return batcher;
    }

    /// <summary>Drains the batchers of unloaded versions.</summary>
    private void OnUnloading()
    {
        foreach (var (model, batcher) in _batchers)
        {
            if (model.IsUnloading && _batchers.TryRemove(new KeyValuePair<OnnxModel, DynamicBatcher>(model, batcher)))
            {
                var drained = batcher.DrainAsync();
                lock (_draining)
                {
                    _draining.RemoveAll(task => task.IsCompleted);
                    _draining.Add(drained);
                }
            }
        }
    }

    /// <summary>Finishes every queued request and stops all batchers.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
    }

    /// <summary>Stops taking requests, without waiting for queued ones to finish (see <see cref="DisposeAsync"/>).</summary>
    public void Dispose() => _ = StopAsync();

    private Task StopAsync()
    {
        lock (_createLock)
        {
            _disposed = true;
        }

        var tasks = new List<Task>();
        foreach (var (model, batcher) in _batchers)
        {
            if (_batchers.TryRemove(new KeyValuePair<OnnxModel, DynamicBatcher>(model, batcher)))
            {
                tasks.Add(batcher.DrainAsync());
            }
        }

        lock (_draining)
        {
            tasks.AddRange(_draining);
        }

        return Task.WhenAll(tasks);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Batching model {Model} version {Version}: max batch {MaxBatchSize}, delay {Delay} µs, {Instances} instance(s), queue {QueueSize} requests and {QueueBytes} bytes")]
    private static partial void LogBatching(ILogger logger, string model, string version, int maxBatchSize, double delay, int instances, int queueSize, long queueBytes);
}
