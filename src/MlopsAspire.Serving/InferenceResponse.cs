
namespace MlopsAspire.Serving;

/// <summary>
/// The outputs of one request. Holds the model version's lease and the native output values until disposed,
/// so encode the outputs, then dispose.
/// </summary>
public sealed class InferenceResponse : IDisposable
{
    private readonly OnnxModel _model;
    private readonly ExecutionOutputs _outputs;
    private int _disposed;

    internal InferenceResponse(OnnxModel model, string? id, IReadOnlyList<string> outputNames, ExecutionOutputs outputs)
    {
        _model = model;
        _outputs = outputs;
        Id = id;
        var tensors = new InferenceOutput[outputs.Count];
        for (var i = 0; i < tensors.Length; i++)
        {
            tensors[i] = outputs.ToOutput(i, outputNames[i]);
        }

        Outputs = tensors;
    }

    public string ModelName => _model.Name;

    public string ModelVersion => _model.Version;

    public string? Id { get; }

    /// <summary>What monitoring reads from this version's requests and responses.</summary>
    public ModelContracts.MonitoringPlan MonitoringPlan => _model.MonitoringPlan;

    public IReadOnlyList<InferenceOutput> Outputs { get; }

    /// <summary>How long the request queued and its batch's phases took (stopwatch ticks of the executor's clock).</summary>
    public ExecutionTimings Timings => _outputs.Timings;

    public InferenceOutput? FindOutput(string name) => Outputs.FirstOrDefault(output => output.Name == name);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _outputs.Dispose();
        _model.Release();
    }
}
