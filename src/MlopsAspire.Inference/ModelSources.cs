using MlopsAspire.Abstractions;
using MlopsAspire.Artifacts;

namespace MlopsAspire.Inference;

/// <summary>Where the replica reads the routing table from.</summary>
public interface IRoutingTableSource
{
    Task<RoutingTable> GetRoutingTableAsync(CancellationToken cancellationToken);
}

/// <summary>Where the replica gets a model artifact as a local file, by content address.</summary>
public interface IModelArtifactSource
{
    Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken);
}

/// <summary>The routing table of the control plane's registry grain.</summary>
public sealed class RegistryGrainRoutingTableSource(IGrainFactory grains) : IRoutingTableSource
{
    // Resolved per call: a client learns which grain class implements the interface from the cluster's
    // manifest, which it only has once connected.
    public Task<RoutingTable> GetRoutingTableAsync(CancellationToken cancellationToken) =>
        grains.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey).GetRoutingTableAsync().WaitAsync(cancellationToken);
}

/// <summary>Artifacts from the store, verified and cached on local disk.</summary>
public sealed class CachedArtifactSource(ArtifactCache cache) : IModelArtifactSource
{
    public Task<string> GetLocalPathAsync(string sha256, CancellationToken cancellationToken) =>
        cache.GetLocalPathAsync(sha256, cancellationToken);
}
