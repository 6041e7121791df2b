namespace MlopsAspire.LoadTest.Scheduling;

public enum WorkloadModel
{
    /// <summary>Requests arrive on a schedule whatever the server does (arrival rate); latency from intended send time.</summary>
    Open,

    /// <summary>N clients, each sending its next request when the previous one completes; latency is service time.</summary>
    Closed,
}
