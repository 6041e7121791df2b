using Grpc.AspNetCore.Server;
using MlopsAspire.Inference.Protocol.Grpc;

namespace MlopsAspire.Inference.Security;

public static class InferenceApiKeysExtensions
{
    /// <summary>Registers the API key check and puts it in front of every Open Inference gRPC call.</summary>
    public static IGrpcServerBuilder AddInferenceApiKeys(this IGrpcServerBuilder grpc)
    {
        grpc.Services.AddSingleton<InferenceApiKeys>();
        grpc.Services.AddSingleton<InferenceApiKeyInterceptor>();
        return grpc.AddServiceOptions<OpenInferenceGrpcService>(service => service.Interceptors.Add<InferenceApiKeyInterceptor>());
    }
}
