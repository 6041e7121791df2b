namespace MlopsAspire.Serving;

/// <summary>
/// Handles a request end to end: resolves the version (taking a lease), validates and prepares inputs, runs
/// them through the executor and returns the outputs. Every failure is an <see cref="InferenceException"/>.
/// Each request that resolved a version is counted once in that version's statistics, as a success or a failure.
/// </summary>
public sealed class InferenceEngine(ModelRepository repository, IInferenceExecutor? executor = null)
{
    private readonly IInferenceExecutor _executor = executor ?? InlineInferenceExecutor.Instance;

    public ModelRepository Repository { get; } = repository;

    /// <param name="cancellationToken">The call's token; a gRPC call's also fires at its deadline.</param>
    public ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
        InferAsync(Repository.Acquire(request.ModelName, request.ModelVersion), request, cancellationToken);

    /// <summary>
    /// Runs a request on a version the caller already resolved and leased (<see cref="ModelRepository.Acquire"/>), so
    /// that a caller that routes by version resolves it once. The lease passes to the response, or is returned when
    /// the request fails.
    /// </summary>
    public async ValueTask<InferenceResponse> InferAsync(OnnxModel model, InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var timeProvider = _executor.TimeProvider;
        var started = timeProvider.GetTimestamp();
        var statistics = model.Statistics;
        statistics.RequestStarted();
        try
        {
            var outputNames = TensorCodec.ResolveOutputs(model, request.RequestedOutputs);
            using var inputs = TensorCodec.PrepareInputs(model, request.Inputs);
            var outputs = await _executor.ExecuteAsync(
                model,
                new ExecutionRequest
                {
                    Inputs = inputs,
                    OutputNames = outputNames,
                    StartTimestamp = started,
                    Priority = request.Priority,
                    Timeout = request.Timeout,
                    Deadline = request.Deadline,
                    Id = request.Id,
                },
                cancellationToken).ConfigureAwait(false);
            InferenceResponse response;
            try
            {
                response = new InferenceResponse(model, request.Id, outputNames, outputs);
            }
            catch
            {
                outputs.Dispose();
                throw;
            }

            var timings = outputs.Timings;
            statistics.RecordSuccess(
                timings.RequestRows,
                timings.QueueTicks,
                timings.ComputeInputTicks,
                timings.ComputeInferTicks,
                timings.ComputeOutputTicks,
                timeProvider.ToStopwatchTicks(timeProvider.GetTimestamp() - started));
            return response;
        }
        catch
        {
            statistics.RecordFailure(timeProvider.ToStopwatchTicks(timeProvider.GetTimestamp() - started));
            model.Release();
            throw;
        }
    }
}
