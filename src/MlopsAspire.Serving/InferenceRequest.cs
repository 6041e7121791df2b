namespace MlopsAspire.Serving;

/// <summary>A transport-neutral inference request, shaped after the Open Inference Protocol.</summary>
public sealed class InferenceRequest
{
    public required string ModelName { get; init; }

    /// <summary>A pinned version; null or empty selects the model's default (production) version.</summary>
    public string? ModelVersion { get; init; }

    /// <summary>The caller's correlation id, echoed in the response.</summary>
    public string? Id { get; init; }

    public required IReadOnlyList<InferenceInput> Inputs { get; init; }

    /// <summary>Output names to return, in this order; null or empty returns every output of the signature.</summary>
    public IReadOnlyList<string>? RequestedOutputs { get; init; }

    /// <summary>
    /// Priority level as in Triton: 1 is the highest, larger numbers are lower; 0 (or a level the model does not
    /// have) takes the model's default level. Queued requests of a higher priority are batched first.
    /// </summary>
    public int Priority { get; init; }

    /// <summary>
    /// How long the request may wait for its computation to start, from its arrival; null takes the model's
    /// default timeout. A request still queued when it passes fails with <see cref="InferenceErrorKind.DeadlineExceeded"/>.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// The caller's absolute deadline (a gRPC deadline). Like <see cref="Timeout"/> it is checked before compute;
    /// when the call's cancellation token fires after it, the failure is reported as a missed deadline rather
    /// than a cancellation.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }
}

/// <summary>
/// One input tensor as sent: the datatype stays the caller's string so that a misspelt one is reported as
/// such, and the shape is the caller's list (no copy of a protocol buffer's repeated field).
/// </summary>
public sealed class InferenceInput(string name, string datatype, IReadOnlyList<long> shape, TensorData data)
{
    public string Name { get; } = name;

    public string Datatype { get; } = datatype;

    public IReadOnlyList<long> Shape { get; } = shape;

    public TensorData Data { get; } = data;
}

/// <summary>Whose names error messages give the place a tensor's data came from.</summary>
public enum TensorDataTerms : byte
{
    /// <summary>The gRPC message's fields: <c>raw_input_contents[i]</c>, or the datatype's typed contents (<c>fp32_contents</c>, ...).</summary>
    Grpc,

    /// <summary>The JSON request's: an input's <c>data</c>, or its <c>binary data</c> (Triton's binary tensor extension).</summary>
    Json,
}

/// <summary>
/// Tensor data: either raw little-endian bytes in row-major order (BYTES elements each prefixed by a 4-byte
/// little-endian length) or a list of typed values of the protocol's contents types
/// (bool, int, long, uint, ulong, float, double, or byte memory for BYTES).
/// </summary>
public readonly struct TensorData
{
    // A byte, so that it fits the struct's padding: every request input carries one.
    private readonly TensorDataTerms _terms;

    private TensorData(ReadOnlyMemory<byte> raw, object? values, int rawIndex, TensorDataTerms terms)
    {
        RawBytes = raw;
        Values = values;
        RawIndex = rawIndex;
        _terms = terms;
    }

    /// <summary>The raw bytes; meaningful when <see cref="IsRaw"/>.</summary>
    public ReadOnlyMemory<byte> RawBytes { get; }

    /// <summary>The typed list (an <see cref="IReadOnlyList{T}"/>), or null for raw data.</summary>
    public object? Values { get; }

    /// <summary>Where the raw bytes came from in the request (e.g. the index in raw_input_contents), for messages.</summary>
    public int RawIndex { get; }

    public bool IsRaw => Values is null;

    /// <param name="rawIndex">Position of this buffer among the request's raw buffers, named in error messages.</param>
    /// <param name="terms">Whose names error messages give these bytes.</param>
    public static TensorData Raw(ReadOnlyMemory<byte> bytes, int rawIndex = 0, TensorDataTerms terms = TensorDataTerms.Grpc) =>
        new(bytes, null, rawIndex, terms);

    /// <param name="terms">Whose names error messages give these values.</param>
    public static TensorData Typed<T>(IReadOnlyList<T> values, TensorDataTerms terms = TensorDataTerms.Grpc) =>
        new(default, values ?? throw new ArgumentNullException(nameof(values)), -1, terms);

    /// <summary>What error messages call this data: the caller's own protocol's name for it.</summary>
    internal string FieldFor(TensorDatatype datatype) => (_terms, IsRaw) switch
    {
        (TensorDataTerms.Json, true) => "binary data",
        (TensorDataTerms.Json, false) => "data",
        (_, true) => $"raw_input_contents[{RawIndex}]",
        _ => datatype.TypedContentsField(),
    };
}
