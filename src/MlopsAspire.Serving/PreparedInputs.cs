using System.Buffers;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlopsAspire.Serving;

/// <summary>
/// Validated inputs in the order the request listed them: each a tensor over pinned memory (the request's own
/// buffer or a pooled one), or a string tensor ONNX Runtime owns. Owns the pins and pooled buffers; dispose after
/// the Run that consumes them.
/// </summary>
/// <remarks>
/// The ONNX Runtime values of tensors over pinned memory are created on first use of <see cref="Values"/>: a request
/// that joins a batch only has its bytes copied (<see cref="RawBytes"/>), so creating and releasing a native value
/// for it would be wasted work on every request.
/// </remarks>
public sealed class PreparedInputs : IDisposable
{
    // Arrays sized to the request's input count rather than growable lists: this is built on every request, and
    // a request either adds every input or fails and is disposed.
    private readonly string[] _names;
    private readonly OrtValue[] _values;
    private readonly long[][] _shapes;
    private readonly Tensor[] _tensors;
    private int _count;
    private bool _created;
    private List<MemoryHandle>? _pins;
    private MemoryHandle _firstPin;
    private bool _hasFirstPin;
    private List<byte[]>? _rented;

    internal PreparedInputs(int capacity)
    {
        _names = capacity == 0 ? [] : new string[capacity];
        _values = capacity == 0 ? [] : new OrtValue[capacity];
        _shapes = capacity == 0 ? [] : new long[capacity][];
        _tensors = capacity == 0 ? [] : new Tensor[capacity];
    }

    /// <summary>The input names; complete (one per request input) once preparation succeeded.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The inputs as ONNX Runtime values (created on first use).</summary>
    public IReadOnlyList<OrtValue> Values
    {
        get
        {
            if (!_created)
            {
                CreateValues();
            }

            return _values;
        }
    }

    /// <summary>Each input's concrete shape.</summary>
    public IReadOnlyList<long[]> Shapes => _shapes;

    /// <summary>
    /// Bytes of every input's elements: what the request's tensors hold while it waits (BYTES inputs count their
    /// elements with their 4-byte lengths, as raw contents carry them).
    /// </summary>
    public long ByteLength
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _count; i++)
            {
                total += _tensors[i].ByteLength;
            }

            return total;
        }
    }

    /// <summary>How many inputs were added so far.</summary>
    internal int Count => _count;

    /// <summary>Adds a tensor over memory that stays pinned until this is disposed (kept with <see cref="Keep(MemoryHandle)"/>).</summary>
    internal void Add(string name, long[] shape, TensorElementType elementType, nint address, int byteLength)
    {
        _names[_count] = name;
        _shapes[_count] = shape;
        _tensors[_count] = new Tensor(elementType, address, byteLength);
        _count++;
        _created = false;
    }

    /// <summary>Adds a value ONNX Runtime owns (a string tensor) of <paramref name="byteLength"/> bytes as sent; disposed with this.</summary>
    internal void Add(string name, long[] shape, OrtValue value, int byteLength)
    {
        _names[_count] = name;
        _shapes[_count] = shape;
        _values[_count] = value;
        _tensors[_count] = new Tensor(TensorElementType.String, 0, byteLength);
        _count++;
    }

    /// <summary>The bytes of input <paramref name="index"/>, read in place; not for string tensors.</summary>
    internal unsafe ReadOnlySpan<byte> RawBytes(int index)
    {
        var tensor = _tensors[index];
        return tensor.ElementType == TensorElementType.String
            ? throw new InvalidOperationException($"input '{_names[index]}' is a string tensor; it has no raw bytes")
            : new ReadOnlySpan<byte>((void*)tensor.Address, tensor.ByteLength);
    }

    private void CreateValues()
    {
        for (var i = 0; i < _count; i++)
        {
            if (_values[i] is null)
            {
                var tensor = _tensors[i];
                _values[i] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, tensor.ElementType, _shapes[i], tensor.Address, tensor.ByteLength);
            }
        }

        _created = true;
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
        // Values first: they point into the pinned buffers.
        for (var i = 0; i < _count; i++)
        {
            _values[i]?.Dispose();
            _values[i] = null!;
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
                TensorBuffers.Return(buffer);
            }

            _rented.Clear();
        }
    }

    /// <summary>Where a tensor input's elements are: pinned memory of a known length; a string tensor has no address, only the bytes it was sent as.</summary>
    private readonly record struct Tensor(TensorElementType ElementType, nint Address, int ByteLength);
}
