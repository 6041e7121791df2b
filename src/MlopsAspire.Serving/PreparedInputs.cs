using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Serving;

/// <summary>
/// Validated inputs as ONNX Runtime values, in the order the request listed them. Owns the pins and pooled
/// buffers behind those values; dispose after the Run that consumes them.
/// </summary>
public sealed class PreparedInputs : IDisposable
{
    // Arrays sized to the request's input count rather than growable lists: this is built on every request, and
    // a request either adds every input or fails and is disposed.
    private readonly string[] _names;
    private readonly OrtValue[] _values;
    private readonly long[][] _shapes;
    private int _count;
    private List<MemoryHandle>? _pins;
    private MemoryHandle _firstPin;
    private bool _hasFirstPin;
    private List<byte[]>? _rented;

    internal PreparedInputs(int capacity)
    {
        _names = capacity == 0 ? [] : new string[capacity];
        _values = capacity == 0 ? [] : new OrtValue[capacity];
        _shapes = capacity == 0 ? [] : new long[capacity][];
    }

    /// <summary>The input names; complete (one per request input) once preparation succeeded.</summary>
    public IReadOnlyList<string> Names => _names;

    public IReadOnlyList<OrtValue> Values => _values;

    /// <summary>Each input's concrete shape.</summary>
    public IReadOnlyList<long[]> Shapes => _shapes;

    /// <summary>How many inputs were added so far.</summary>
    internal int Count => _count;

    internal void Add(string name, long[] shape, OrtValue value)
    {
        _names[_count] = name;
        _shapes[_count] = shape;
        _values[_count] = value;
        _count++;
    }

    internal void Keep(MemoryHandle pin)
    {
        // Most requests pin exactly one buffer (a single raw input): keep it without allocating a list.
        if (!_hasFirstPin)
        {
            _firstPin = pin;
            _hasFirstPin = true;
            return;
        }

        (_pins ??= []).Add(pin);
    }

    internal void Keep(byte[] rented) => (_rented ??= []).Add(rented);

    public void Dispose()
    {
        for (var i = 0; i < _count; i++)
        {
            _values[i].Dispose();
        }

        _count = 0;
        if (_hasFirstPin)
        {
            _firstPin.Dispose();
            _hasFirstPin = false;
        }

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
