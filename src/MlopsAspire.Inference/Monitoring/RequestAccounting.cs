using System.Diagnostics;
using Grpc.Core;

namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// Accounts for each inference request once, when the transport has encoded its response: the request metric
/// (<see cref="InferenceMetrics"/>) and the answering version's monitoring window (<see cref="ReplicaMonitoring"/>)
/// from one <see cref="RequestRecord"/> and one measured latency. Monitoring never fails a request: its errors are
/// counted and logged once.
/// </summary>
public sealed partial class RequestAccounting(InferenceMetrics metrics, ReplicaMonitoring monitoring, ILogger<RequestAccounting> logger)
{
    private long _monitoringFaults;

    /// <summary>Monitoring errors swallowed so far (they never reach callers).</summary>
    public long MonitoringFaults => Interlocked.Read(ref _monitoringFaults);

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
            if (Interlocked.Increment(ref _monitoringFaults) == 1)
            {
                LogMonitoringFault(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording a request's statistics failed; the response was not affected (further failures are counted, not logged)")]
    private partial void LogMonitoringFault(Exception exception);
}
