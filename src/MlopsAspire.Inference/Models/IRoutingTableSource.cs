using MlopsAspire.Abstractions;

namespace MlopsAspire.Inference.Models;

/// <summary>Where the replica reads the routing table from.</summary>
public interface IRoutingTableSource
{
    Task<RoutingTable> GetRoutingTableAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the source hears that the routing table may have changed, so the replica reads it now rather
    /// than at its next poll. A source that cannot tell waits until cancelled. Faults only by cancellation; one waiter
    /// at a time.
    /// </summary>
    Task WaitForChangeAsync(CancellationToken cancellationToken);
}
