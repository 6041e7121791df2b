using OpenTelemetry.Trace;

namespace MlopsAspire.ServiceDefaults;

/// <summary>
/// Samples every trace except those that a periodic poll starts on its own: replicas asking for the routing table
/// and training workers asking for queued runs every few seconds would bury the traces worth reading on the
/// dashboard. Such a call inside a traced operation is still traced (the parent decides).
/// </summary>
public sealed class PollingCallSampler : Sampler
{
    /// <summary>Grain calls that pollers make on their own (span names as Orleans gives them: interface/method).</summary>
    public static readonly IReadOnlySet<string> PollingCalls = new HashSet<string>(StringComparer.Ordinal)
    {
        "IModelRegistryGrain/GetRoutingTableAsync",
        "IModelRegistryGrain/SubscribeAsync",
        "IModelRegistryGrain/ListModelsAsync",
        "IModelRetrainingGrain/Claim",
    };

    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Sample = new(SamplingDecision.RecordAndSample);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        PollingCalls.Contains(samplingParameters.Name) ? Drop : Sample;
}
