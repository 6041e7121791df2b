namespace MlopsAspire.Serving;

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
