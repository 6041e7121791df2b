using System.Diagnostics;
using Grpc.Core;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// Accounts for each inference request once, when the transport has encoded its response: the request metric
/// (<see cref="InferenceMetrics"/>) and the answering version's monitoring window (<see cref="ReplicaMonitoring"/>)
/// from one <see cref="RequestRecord"/> and one measured latency. Monitoring never fails a request: its errors are
/// counted by <see cref="ReplicaMonitoring.CountFault"/>.
/// </summary>
public sealed class RequestAccounting(InferenceMetrics metrics, ReplicaMonitoring monitoring)
{
    /// <param name="status">The status the caller was answered with (a gRPC code, for REST too).</param>
    public void Complete(RequestRecord record, StatusCode status)
    {
        ArgumentNullException.ThrowIfNull(record);
        var total = Stopwatch.GetElapsedTime(record.StartedTimestamp);
        metrics.RecordRequest(record, status, total);
        try
        {
            monitoring.Record(record, total);
        }
        catch (Exception exception)
        {
            monitoring.CountFault(exception);
        }
    }
}
