namespace MlopsAspire.Abstractions;

/// <summary>
/// A version across the live replicas that report its model: <see cref="Replicas"/> counts those replicas, so one
/// that has not yet applied the routing table naming the version is neither loaded, loading nor failed.
/// <see cref="Endpoints"/> are the replicas a client may call directly for this version: those that hold it loaded,
/// told their gRPC address and reported lately (<see cref="ReplicaLoadReports.EndpointLifetime"/>), in replica order.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record VersionLoadSummary(
    [property: Id(0)] string Version,
    [property: Id(1)] int Replicas,
    [property: Id(2)] int Loaded,
    [property: Id(3)] int Loading,
    [property: Id(4)] int Failed,
    [property: Id(5)] string? LastError,
    [property: Id(6)] IReadOnlyList<ReplicaVersionLoad> ByReplica,
    [property: Id(7)] IReadOnlyList<ReplicaVersionLoad> Endpoints)
{
    /// <summary>Some replica tried and failed, and none has it loaded: promoting it would serve nothing.</summary>
    public bool NoReplicaLoaded => Failed > 0 && Loaded == 0;

    /// <summary>
    /// Every live replica failed it, each at least twice (a retry after a backoff), so it is not one replica's
    /// passing trouble with the store: what an automatic rollback acts on.
    /// </summary>
    public bool FailsEverywhere =>
        Replicas > 0 && Failed == Replicas && ByReplica.All(load => load.Status.FailedAttempts >= 2);

    /// <summary>"loaded on 1 of 2 replicas, failed on 1: &lt;error&gt;", as operators read it.</summary>
    public string Describe()
    {
        var text = $"loaded on {Loaded} of {Replicas} replica{(Replicas == 1 ? "" : "s")}";
        if (Loading > 0)
        {
            text += $", loading on {Loading}";
        }

        if (Failed > 0)
        {
            text += $", failed on {Failed}: {LastError}";
        }

        return text;
    }
}
