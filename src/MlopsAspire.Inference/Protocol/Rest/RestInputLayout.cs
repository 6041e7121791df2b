namespace MlopsAspire.Inference.Protocol.Rest;

/// <summary>Where one input's members are in the request body.</summary>
internal sealed class RestInputLayout
{
    /// <summary>The input's whole value: an object when the request is well formed.</summary>
    public RestJsonValue Self { get; set; }

    public RestJsonValue Name { get; set; }

    public RestJsonValue Datatype { get; set; }

    public RestJsonValue Shape { get; set; }

    public RestJsonValue Parameters { get; set; }

    public RestJsonValue Data { get; set; }
}
