using System.Threading.Channels;
using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// One watcher's subscription to a model grain: the grain pushes notices to this observer, which queues them for
/// the gRPC stream. Notices are one-way, so the feed also renews its subscription periodically and the caller
/// compares revisions to catch up on anything missed.
/// </summary>
public sealed class ModelChangeFeed : IModelObserver, IAsyncDisposable
{
    private readonly Channel<ModelChangeNotice> _notices = Channel.CreateBounded<ModelChangeNotice>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly IGrainFactory _grains;
    private readonly IModelGrain _model;
    private readonly IModelObserver _reference;

    private ModelChangeFeed(IGrainFactory grains, IModelGrain model)
    {
        _grains = grains;
        _model = model;
        _reference = grains.CreateObjectReference<IModelObserver>(this);
    }

    public static async Task<ModelChangeFeed> SubscribeAsync(IGrainFactory grains, IModelGrain model)
    {
        var feed = new ModelChangeFeed(grains, model);
        await feed.RenewAsync();
        return feed;
    }

    public ChannelReader<ModelChangeNotice> Notices => _notices.Reader;

    public Task RenewAsync() => _model.SubscribeAsync(_reference);

    public void ModelChanged(ModelChangeNotice notice) => _notices.Writer.TryWrite(notice);

    public async ValueTask DisposeAsync()
    {
        _notices.Writer.TryComplete();
        try
        {
            await _model.UnsubscribeAsync(_reference);
        }
        catch (Exception)
        {
            // The subscription lapses on its own.
        }

        _grains.DeleteObjectReference<IModelObserver>(_reference);
    }
}
