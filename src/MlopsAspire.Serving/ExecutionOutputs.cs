using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Serving;

/// <summary>
/// The outputs an executor computed for one request, one per requested output in the request's order, and the
/// timings of its phases: the values the session returned when the request ran on its own, or the request's rows of
/// its batch's outputs, copied into buffers from <see cref="TensorBuffers"/>. Dispose to release all of it.
/// </summary>
public sealed class ExecutionOutputs : IDisposable
{
    private readonly IReadOnlyList<OrtValue>? _values;
    private readonly BatchSlice[]? _slices;
    private int _disposed;

    /// <summary>Outputs the session returned for this request alone; disposed with this.</summary>
    public ExecutionOutputs(IReadOnlyList<OrtValue> values, ExecutionTimings timings)
    {
        _values = values;
        Timings = timings;
    }

    /// <summary>Outputs split out of a batch; their buffers come from <see cref="TensorBuffers"/> and go back to it on dispose.</summary>
    internal ExecutionOutputs(BatchSlice[] slices)
    {
        _slices = slices;
    }

    public int Count => _values?.Count ?? _slices!.Length;

    public ExecutionTimings Timings { get; internal set; }

    /// <summary>The elements of output <paramref name="index"/> as bytes, read in place; not for BYTES outputs.</summary>
    public ReadOnlySpan<byte> RawData(int index) =>
        _slices is null ? _values![index].GetTensorMutableRawData() : _slices[index].Data;

    /// <summary>Output <paramref name="index"/> as the protocol reads it (valid until this is disposed).</summary>
    internal InferenceOutput ToOutput(int index, string name) =>
        _slices is null ? new InferenceOutput(name, _values![index]) : new InferenceOutput(name, _slices[index]);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_values is not null)
        {
            foreach (var value in _values)
            {
                value.Dispose();
            }
        }

        if (_slices is not null)
        {
            foreach (var slice in _slices)
            {
                if (slice.Buffer is not null)
                {
                    TensorBuffers.Return(slice.Buffer);
                }
            }
        }
    }
}
