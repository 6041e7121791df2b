using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Serving;

/// <summary>
/// Validated inputs as ONNX Runtime values, in the order the request listed them. Owns the pins and pooled
/// buffers behind those values; dispose after the Run that consumes them.
/// </summary>
public sealed class PreparedInputs : IDisposable
{
    private readonly List<string> _names;
    private readonly List<OrtValue> _values;
    private readonly List<long[]> _shapes;
    private List<MemoryHandle>? _pins;
    private List<byte[]>? _rented;

    internal PreparedInputs(int capacity)
    {
        _names = new List<string>(capacity);
        _values = new List<OrtValue>(capacity);
        _shapes = new List<long[]>(capacity);
    }

    public IReadOnlyList<string> Names => _names;

    public IReadOnlyList<OrtValue> Values => _values;

    /// <summary>Each input's concrete shape.</summary>
    public IReadOnlyList<long[]> Shapes => _shapes;

    internal void Add(string name, long[] shape, OrtValue value)
    {
        _names.Add(name);
        _shapes.Add(shape);
        _values.Add(value);
    }

    internal void Keep(MemoryHandle pin) => (_pins ??= []).Add(pin);

    internal void Keep(byte[] rented) => (_rented ??= []).Add(rented);

    public void Dispose()
    {
        foreach (var value in _values)
        {
            value.Dispose();
        }

        _values.Clear();
        if (_pins is not null)
        {
            foreach (var pin in _pins)
            {
                pin.Dispose();
            }

            _pins.Clear();
        }

        if (_rented is not null)
        {
            foreach (var buffer in _rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _rented.Clear();
        }
    }
}
