using Grpc.AspNetCore.Server;
using MlopsAspire.Inference.Protocol.Grpc;

namespace MlopsAspire.Inference.Security;

public static class InferenceApiKeysExtensions
{
    /// <summary>
    /// Registers the API key check and, when keys are configured, puts it in front of every Open Inference gRPC call.
    /// Keys are read once at start, so a replica without keys leaves the interceptor out: gRPC then calls the service
    /// method directly instead of through an interceptor pipeline that would admit every call anyway.
    /// </summary>
    public static IGrpcServerBuilder AddInferenceApiKeys(this IGrpcServerBuilder grpc)
    {
        grpc.Services.AddSingleton<InferenceApiKeys>();
        grpc.Services.AddSingleton<InferenceApiKeyInterceptor>();
        grpc.Services.AddOptions<GrpcServiceOptions<OpenInferenceGrpcService>>()
            .Configure<InferenceApiKeys>((service, keys) =>
            {
                if (keys.Required)
                {
                    service.Interceptors.Add<InferenceApiKeyInterceptor>();
                }
            });
        return grpc;
    }
}
