using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Serving;

/// <summary>
/// The output values an executor computed for one request, with the memory behind them (session-allocated
/// values, or pooled buffers when the outputs were split out of a batch) and the timings of its phases.
/// Dispose to release all of it.
/// </summary>
public sealed class ExecutionOutputs : IDisposable
{
    private readonly IReadOnlyList<OrtValue> _values;
    private List<MemoryHandle>? _pins;
    private List<byte[]>? _rented;
    private int _disposed;

    public ExecutionOutputs(IReadOnlyList<OrtValue> values, ExecutionTimings timings)
    {
        _values = values;
        Timings = timings;
    }

    /// <summary>One value per requested output, in the request's order.</summary>
    public IReadOnlyList<OrtValue> Values => _values;

    public ExecutionTimings Timings { get; internal set; }

    internal void Keep(MemoryHandle pin) => (_pins ??= []).Add(pin);

    internal void Keep(byte[] rented) => (_rented ??= []).Add(rented);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var value in _values)
        {
            value.Dispose();
        }

        // Values first: they point into the pinned buffers.
        if (_pins is not null)
        {
            foreach (var pin in _pins)
            {
                pin.Dispose();
            }
        }

        if (_rented is not null)
        {
            foreach (var buffer in _rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
