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
