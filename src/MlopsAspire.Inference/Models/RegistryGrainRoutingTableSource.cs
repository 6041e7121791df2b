using System.Threading.Channels;
using MlopsAspire.Abstractions;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// The routing table of the control plane's registry grain. While the replica waits for its next poll, the source
/// keeps a subscription to the registry's pushes alive, renewing it well before it lapses and retrying while the
/// control plane is unreachable; a push wakes the waiter.
/// </summary>
public sealed partial class RegistryGrainRoutingTableSource : IRoutingTableSource, IDisposable
{
    /// <summary>How often the subscription is renewed: a quarter of its lifetime leaves room for a few failed renewals.</summary>
    private static readonly TimeSpan RenewInterval = ModelObservers.SubscriptionLifetime / 4;

    /// <summary>How soon a failed subscription is tried again.</summary>
    private static readonly TimeSpan SubscribeRetryDelay = TimeSpan.FromSeconds(5);

    // Holds at most one wake-up: several pushes while the replica is busy applying need only one more read.
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly IGrainFactory _grains;
    private readonly ILogger<RegistryGrainRoutingTableSource> _logger;
    private readonly ChangeListener _listener;
    private IRoutingTableObserver? _reference;
    private bool _subscribeFailing;
    private long _nextSubscribeAt = Environment.TickCount64; // when to subscribe or renew next, on that clock

    public RegistryGrainRoutingTableSource(IGrainFactory grains, ILogger<RegistryGrainRoutingTableSource> logger)
    {
        _grains = grains;
        _logger = logger;
        _listener = new ChangeListener(_changes.Writer);
    }

    // Resolved per call: a client learns which grain class implements the interface from the cluster's
    // manifest, which it only has once connected.
    private IModelRegistryGrain Registry => _grains.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey);

    public Task<RoutingTable> GetRoutingTableAsync(CancellationToken cancellationToken) =>
        Registry.GetRoutingTableAsync().WaitAsync(cancellationToken);

    public async Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var untilAttempt = TimeSpan.FromMilliseconds(_nextSubscribeAt - Environment.TickCount64);
            if (untilAttempt <= TimeSpan.Zero)
            {
                var retryIn = await SubscribeAsync(cancellationToken);
                _nextSubscribeAt = Environment.TickCount64 + (long)retryIn.TotalMilliseconds;
                continue;
            }

            using var attemptDue = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptDue.CancelAfter(untilAttempt);
            try
            {
                await _changes.Reader.ReadAsync(attemptDue.Token);
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Time to renew (or retry) the subscription; then keep waiting.
            }
        }
    }

    public void Dispose()
    {
        if (_reference is null)
        {
            return;
        }

        try
        {
            // The registry forgets the subscription once it lapses; this only stops pushes reaching this object.
            _grains.DeleteObjectReference<IRoutingTableObserver>(_reference);
        }
        catch (Exception exception)
        {
            LogReleaseFailed(exception);
        }
    }

    /// <summary>Subscribes, or renews the subscription; returns how long until the next attempt.</summary>
    private async Task<TimeSpan> SubscribeAsync(CancellationToken cancellationToken)
    {
        try
        {
            _reference ??= _grains.CreateObjectReference<IRoutingTableObserver>(_listener);
            await Registry.SubscribeAsync(_reference).WaitAsync(cancellationToken);
            if (_subscribeFailing)
            {
                LogSubscribed();
                _subscribeFailing = false;
            }

            return RenewInterval;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Polling still reads the table; pushes only make it sooner.
            if (!_subscribeFailing)
            {
                LogSubscribeFailed(exception);
                _subscribeFailing = true;
            }

            return SubscribeRetryDelay;
        }
    }

    /// <summary>
    /// The object the registry pushes to. Orleans holds observer objects weakly, so the source keeps this one.
    /// </summary>
    private sealed class ChangeListener(ChannelWriter<bool> changes) : IRoutingTableObserver
    {
        public void RoutingTableChanged(RoutingTable table) => changes.TryWrite(true);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not release the routing table observer while shutting down")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Subscribed to routing table changes")]
    private partial void LogSubscribed();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to routing table changes; polling and retrying")]
    private partial void LogSubscribeFailed(Exception exception);
}
