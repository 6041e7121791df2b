namespace MlopsAspire.LoadTest.Workloads;

/// <summary>A sender that can ask the servers it calls how they ran its model (<see cref="ServerBatching"/>).</summary>
public interface IReportsServerBatching
{
    /// <summary>The servers' counters now, summed over the addresses called; null when a server does not report them.</summary>
    Task<ServerBatching?> ReadServerBatchingAsync(CancellationToken cancellationToken);
}
