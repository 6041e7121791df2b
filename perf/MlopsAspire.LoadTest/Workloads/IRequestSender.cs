namespace MlopsAspire.LoadTest.Workloads;

/// <summary>
/// Sends one request of a workload and completes when its response has arrived. A failure is an exception;
/// <see cref="FailureStatus"/> names it for the report. Safe to call from many threads at once.
/// </summary>
public interface IRequestSender : IAsyncDisposable
{
    ValueTask SendAsync(CancellationToken cancellationToken);
}
