using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace MlopsAspire.Inference.Protocol.Grpc;

/// <summary>
/// gRPC rejects a message above <see cref="InferenceOptions.MaxMessageBytes"/> before any service code runs, with a
/// message that does not say what the limit is. This rewrites that status message (in the headers of a
/// trailers-only response, or in the trailers) to name the limit, so a caller knows how far to shrink its batch, and
/// counts a refused request in <see cref="OversizedMessages"/>.
/// </summary>
public sealed class GrpcMessageLimitStatus(RequestDelegate next, IOptions<InferenceOptions> options, OversizedMessages oversized)
{
    private const string StatusHeader = "grpc-status";
    private const string MessageHeader = "grpc-message";
    private const string FrameworkText = "exceeds the maximum configured message size";

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
        {
            return next(context);
        }

        // No per-request callback: gRPC refuses an oversized message before anything is written, so its status goes
        // out as a trailers-only response whose headers are still unsent when the pipeline returns, or, once the
        // response has begun, in trailers. Either can be rewritten here, after the call.
        var call = next(context);
        if (!call.IsCompletedSuccessfully)
        {
            return RewriteAfter(call, context);
        }

        RewriteStatus(context);
        return Task.CompletedTask;
    }

    private async Task RewriteAfter(Task call, HttpContext context)
    {
        await call;
        RewriteStatus(context);
    }

    private void RewriteStatus(HttpContext context)
    {
        if (!context.Response.HasStarted)
        {
            Rewrite(context.Response.Headers);
        }
        else if (context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { IsReadOnly: false } trailers)
        {
            Rewrite(trailers);
        }
    }

    private void Rewrite(IHeaderDictionary headers)
    {
        if (headers[StatusHeader] != ((int)StatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture)
            || headers[MessageHeader] is not [{ } encoded])
        {
            return;
        }

        var message = Uri.UnescapeDataString(encoded);
        if (!message.Contains(FrameworkText, StringComparison.Ordinal))
        {
            return;
        }

        var limit = options.Value.MaxMessageBytes;
        var described = $"{limit} bytes ({limit / (1024.0 * 1024.0):0.##} MiB, Inference:MaxMessageBytes)";
        var response = message.StartsWith("Sending", StringComparison.Ordinal);
        if (!response)
        {
            oversized.Record();
        }

        var rewritten = response
            ? $"the response message exceeds the limit of {described}; request fewer rows or outputs per call"
            : $"the request message exceeds the limit of {described}; send fewer rows per call";
        headers[MessageHeader] = new StringValues(Uri.EscapeDataString(rewritten));
    }
}
