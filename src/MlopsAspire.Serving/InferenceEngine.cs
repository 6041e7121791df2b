namespace MlopsAspire.Serving;

/// <summary>
/// Handles a request end to end: resolves the version (taking a lease), validates and prepares inputs, runs
/// them through the executor and returns the outputs. Every failure is an <see cref="InferenceException"/>.
/// </summary>
public sealed class InferenceEngine(ModelRepository repository, IInferenceExecutor? executor = null)
{
    private readonly IInferenceExecutor _executor = executor ?? InlineInferenceExecutor.Instance;

    public ModelRepository Repository { get; } = repository;

    public async ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        var model = Repository.Acquire(request.ModelName, request.ModelVersion);
        try
        {
            var outputNames = TensorCodec.ResolveOutputs(model, request.RequestedOutputs);
            using var inputs = TensorCodec.PrepareInputs(model, request.Inputs);
            var values = await _executor.ExecuteAsync(model, inputs, outputNames, cancellationToken).ConfigureAwait(false);
            try
            {
                return new InferenceResponse(model, request.Id, outputNames, values);
            }
            catch
            {
                foreach (var value in values)
                {
                    value.Dispose();
                }

                throw;
            }
        }
        catch
        {
            model.Release();
            throw;
        }
    }
}
