
namespace MlopsAspire.Serving;

/// <summary>One session Run per request, on the calling thread.</summary>
public sealed class InlineInferenceExecutor(TimeProvider? timeProvider = null) : IInferenceExecutor
{
    public static InlineInferenceExecutor Instance { get; } = new();

    public TimeProvider TimeProvider { get; } = timeProvider ?? TimeProvider.System;

    public ValueTask<ExecutionOutputs> ExecuteAsync(OnnxModel model, ExecutionRequest request, CancellationToken cancellationToken)
    {
        var started = TimeProvider.GetTimestamp();
        if (cancellationToken.IsCancellationRequested)
        {
            throw request.CancelledFailure(model, TimeProvider);
        }

        if (request.ExpiryTimestamp(TimeProvider, defaultTimeout: null) <= started)
        {
            throw request.ExpiredFailure(model, TimeProvider, started);
        }

        var values = model.Run(request.Inputs, request.OutputNames);
        var inferTicks = TimeProvider.ToStopwatchTicks(TimeProvider.GetTimestamp() - started);
        var rows = request.Rows;
        model.Statistics.RecordExecution(rows, 0, inferTicks, 0);
        var queueTicks = TimeProvider.ToStopwatchTicks(started - request.StartTimestamp);
        return ValueTask.FromResult(new ExecutionOutputs(values, new ExecutionTimings(rows, rows, queueTicks, 0, inferTicks, 0)));
    }
}
