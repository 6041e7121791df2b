using MlopsAspire.Inference.Protocol.Rest;

namespace MlopsAspire.Inference.Security;

/// <summary>
/// Answers REST calls without a known API key with 401 and <c>{"error": "..."}</c> when keys are configured.
/// Put on every <c>/v2</c> route except the health probes.
/// </summary>
public sealed class InferenceApiKeyFilter(InferenceApiKeys keys) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (keys.Refusal(http.Request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null) is { } refusal)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Json(new RestError(refusal), RestJsonContext.Readable.RestError, statusCode: StatusCodes.Status401Unauthorized);
        }

        return await next(context);
    }
}
