using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Serving;

/// <summary>
/// Runs prepared inputs on a model version. The seam between request handling and the session: the inline
/// executor runs each request on its own, a batcher can queue requests and run them together.
/// </summary>
public interface IInferenceExecutor
{
    /// <summary>
    /// Computes <paramref name="outputNames"/>; the caller owns the returned values and disposes them while it
    /// still holds a lease on <paramref name="model"/>.
    /// </summary>
    ValueTask<IReadOnlyList<OrtValue>> ExecuteAsync(
        OnnxModel model,
        PreparedInputs inputs,
        IReadOnlyList<string> outputNames,
        CancellationToken cancellationToken);
}

/// <summary>One session Run per request, on the calling thread.</summary>
public sealed class InlineInferenceExecutor : IInferenceExecutor
{
    public static InlineInferenceExecutor Instance { get; } = new();

    public ValueTask<IReadOnlyList<OrtValue>> ExecuteAsync(
        OnnxModel model,
        PreparedInputs inputs,
        IReadOnlyList<string> outputNames,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<IReadOnlyList<OrtValue>>(model.Run(inputs, outputNames));
    }
}
