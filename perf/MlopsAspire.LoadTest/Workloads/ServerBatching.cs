using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>
/// What the server says it ran for the model during a measurement, from the Open Inference Protocol's
/// ModelStatistics (any KServe v2 / Triton server reports it): <see cref="Inferences"/> rows answered in
/// <see cref="Executions"/> model runs. Rows per run above one means requests were batched together.
/// </summary>
public sealed record ServerBatching(long Inferences, long Executions)
{
    public double RowsPerRun => Executions == 0 ? 0 : Inferences / (double)Executions;

    /// <summary>The counts between two readings; null when either is missing or the server's counters went back (a restart).</summary>
    public static ServerBatching? Between(ServerBatching? before, ServerBatching? after) =>
        before is null || after is null || after.Inferences < before.Inferences || after.Executions < before.Executions
            ? null
            : new ServerBatching(after.Inferences - before.Inferences, after.Executions - before.Executions);

    /// <summary>The sum over repeats; null when no repeat was read.</summary>
    public static ServerBatching? Sum(IEnumerable<ServerBatching?> readings)
    {
        var read = readings.OfType<ServerBatching>().ToList();
        return read.Count == 0 ? null : new ServerBatching(read.Sum(r => r.Inferences), read.Sum(r => r.Executions));
    }

    /// <summary>"1,204 model runs for 19,870 rows (16.5 rows per run)".</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Executions:#,0} model runs for {Inferences:#,0} rows ({RowsPerRun:0.0#} rows per run)");
}

/// <summary>A sender that can ask the servers it calls how they ran its model (<see cref="ServerBatching"/>).</summary>
public interface IReportsServerBatching
{
    /// <summary>The servers' counters now, summed over the addresses called; null when a server does not report them.</summary>
    Task<ServerBatching?> ReadServerBatchingAsync(CancellationToken cancellationToken);
}

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
