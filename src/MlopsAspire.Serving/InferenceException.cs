namespace MlopsAspire.Serving;

/// <summary>What went wrong with a request, in terms a transport maps to its own status codes.</summary>
public enum InferenceErrorKind
{
    /// <summary>The request does not fit the model: names, datatypes, shapes, sizes.</summary>
    InvalidArgument,

    /// <summary>The model or version is not served here.</summary>
    NotFound,

    /// <summary>The model is loading or draining; retry later.</summary>
    Unavailable,

    /// <summary>A queue or limit is full; back off.</summary>
    ResourceExhausted,

    /// <summary>A fault of the server or the runtime, not of the request.</summary>
    Internal,

    /// <summary>The request's timeout or deadline passed before its computation started.</summary>
    DeadlineExceeded,

    /// <summary>The caller cancelled the request before its computation started.</summary>
    Cancelled,
}

/// <summary>A request failure with a message the caller can act on.</summary>
public sealed class InferenceException(InferenceErrorKind kind, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public InferenceErrorKind Kind { get; } = kind;

    public static InferenceException InvalidArgument(string message) => new(InferenceErrorKind.InvalidArgument, message);

    public static InferenceException NotFound(string message) => new(InferenceErrorKind.NotFound, message);

    public static InferenceException ResourceExhausted(string message) => new(InferenceErrorKind.ResourceExhausted, message);

    public static InferenceException Unavailable(string message) => new(InferenceErrorKind.Unavailable, message);

    public static InferenceException DeadlineExceeded(string message) => new(InferenceErrorKind.DeadlineExceeded, message);

    public static InferenceException Cancelled(string message) => new(InferenceErrorKind.Cancelled, message);
}
