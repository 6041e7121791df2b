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
