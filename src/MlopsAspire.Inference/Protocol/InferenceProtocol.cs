namespace MlopsAspire.Inference.Protocol;

/// <summary>The transports an inference request can arrive on, as the <c>protocol</c> metric tag names them.</summary>
public static class InferenceProtocol
{
    public const string Grpc = "grpc";
    public const string GrpcStream = "grpc-stream";
    public const string Rest = "rest";
}
