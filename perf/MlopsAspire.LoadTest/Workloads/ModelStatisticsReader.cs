using Grpc.Core;
using Grpc.Net.Client;
using Inference;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>Reads ModelStatistics over the channels the traffic itself uses.</summary>
public static class ModelStatisticsReader
{
    /// <summary>
    /// Sums the model's counters (all its versions) over one channel per distinct address. Each reading goes over a
    /// channel the traffic uses, so behind a proxy that spreads whole connections it reaches the replica that served
    /// that connection's requests. Null when any server does not implement ModelStatistics or does not know the model.
    /// </summary>
    public static async Task<ServerBatching?> ReadAsync(IEnumerable<GrpcChannel> channels, string model, CancellationToken cancellationToken)
    {
        long inferences = 0;
        long executions = 0;
        foreach (var channel in channels.DistinctBy(channel => channel.Target, StringComparer.Ordinal))
        {
            try
            {
                var statistics = await new GRPCInferenceService.GRPCInferenceServiceClient(channel)
                    .ModelStatisticsAsync(new ModelStatisticsRequest { Name = model }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                foreach (var version in statistics.ModelStats)
                {
                    inferences += (long)version.InferenceCount;
                    executions += (long)version.ExecutionCount;
                }
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.Unimplemented or StatusCode.NotFound or StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                // A server without statistics (the naive baseline) or without this model: nothing to report.
                return null;
            }
        }

        return new ServerBatching(inferences, executions);
    }
}
