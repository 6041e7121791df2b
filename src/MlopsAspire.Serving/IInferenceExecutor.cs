
namespace MlopsAspire.Serving;

/// <summary>
/// Runs prepared inputs on a model version. The seam between request handling and the session: the inline
/// executor runs each request on its own, a batcher queues requests and runs them together.
/// </summary>
public interface IInferenceExecutor
{
    /// <summary>
    /// The clock of queue times, timeouts and phase timings; <see cref="ExecutionRequest.StartTimestamp"/> is one of
    /// its timestamps.
    /// </summary>
    TimeProvider TimeProvider { get; }

    /// <summary>
    /// Computes the request's outputs. The caller owns the result, disposes it while it still holds a lease on
    /// <paramref name="model"/>, and records the request's outcome in the model's statistics; the executor records
    /// each session run. Failures are <see cref="InferenceException"/>s.
    /// </summary>
    ValueTask<ExecutionOutputs> ExecuteAsync(OnnxModel model, ExecutionRequest request, CancellationToken cancellationToken);
}
