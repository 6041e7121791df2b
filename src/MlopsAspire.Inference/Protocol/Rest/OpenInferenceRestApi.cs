using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MlopsAspire.Inference.Models;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;
using MlopsAspire.Inference.Protocol.Grpc;
using MlopsAspire.Inference.Security;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Batching;
using MlopsAspire.Serving.Statistics;

namespace MlopsAspire.Inference.Protocol.Rest;

/// <summary>
/// The Open Inference Protocol over HTTP/JSON (KServe v2 REST, with Triton's statistics and repository routes),
/// served on the HTTP/1.1 endpoint. Errors are <c>{"error": "..."}</c> with the same messages as gRPC and a status
/// that fits (400, 401, 404, 413, 429, 503, 504). With <see cref="InferenceOptions.ApiKeys"/> configured, every route but
/// <c>/v2/health/*</c> needs <c>authorization: Bearer &lt;key&gt;</c> (<see cref="InferenceApiKeyFilter"/>).
/// </summary>
public static class OpenInferenceRestApi
{
    /// <summary>The most a request body is given before its bytes arrive: what Kestrel itself buffers per connection.</summary>
    private const int UpFrontBodyBytes = 1024 * 1024;

    /// <summary>The first buffer of a body sent without a Content-Length (chunked).</summary>
    private const int UnknownLengthBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapOpenInferenceRestApi(this IEndpointRouteBuilder endpoints)
    {
        // Health stays open to probes; every other route needs an API key when Inference:ApiKeys has any.
        var health = endpoints.MapGroup("/v2/health");
        health.MapGet("/live", () => TypedResults.Ok());
        health.MapGet("/ready", Results<Ok, StatusCodeHttpResult> (ModelRepository repository) =>
            repository.IsReady ? TypedResults.Ok() : TypedResults.StatusCode(StatusCodes.Status503ServiceUnavailable));

        var v2 = endpoints.MapGroup("/v2");
        v2.AddEndpointFilter<InferenceApiKeyFilter>();
        v2.MapGet("", (ServerIdentity server) =>
            TypedResults.Json(new RestServerMetadata(server.Name, server.Version, server.Extensions), RestJsonContext.Readable.RestServerMetadata));

        // Literal segments ("stats") win over the {model} parameter.
        v2.MapGet("/models/stats", (ModelRepository repository, ProtocolErrors errors) => Statistics(repository, errors, null, null));
        v2.MapGet("/models/{model}/stats", (string model, ModelRepository repository, ProtocolErrors errors) => Statistics(repository, errors, model, null));
        v2.MapGet("/models/{model}/versions/{version}/stats", (string model, string version, ModelRepository repository, ProtocolErrors errors) =>
            Statistics(repository, errors, model, version));

        v2.MapGet("/models/{model}", (string model, ModelRepository repository, ProtocolErrors errors) => Metadata(repository, errors, model, null));
        v2.MapGet("/models/{model}/versions/{version}", (string model, string version, ModelRepository repository, ProtocolErrors errors) =>
            Metadata(repository, errors, model, version));
        v2.MapGet("/models/{model}/config", (string model, ModelRepository repository, ModelConfigDescription description, ProtocolErrors errors) =>
            Config(repository, description, errors, model, null));
        v2.MapGet("/models/{model}/versions/{version}/config", (string model, string version, ModelRepository repository, ModelConfigDescription description, ProtocolErrors errors) =>
            Config(repository, description, errors, model, version));
        v2.MapGet("/models/{model}/ready", (string model, ModelRepository repository) => Ready(repository, model, null));
        v2.MapGet("/models/{model}/versions/{version}/ready", (string model, string version, ModelRepository repository) => Ready(repository, model, version));
        v2.MapPost("/models/{model}/infer", (HttpContext context, string model) => InferAsync(context, model, null));
        v2.MapPost("/models/{model}/versions/{version}/infer", (HttpContext context, string model, string version) => InferAsync(context, model, version));

        v2.MapPost("/repository/index", RepositoryIndexAsync);
        v2.MapPost("/repository/models/{model}/load", (string model, IModelRepositoryControl control, ProtocolErrors errors, CancellationToken cancellationToken) =>
            RepositoryChangeAsync(errors, "RepositoryModelLoad", () => control.LoadAsync(model, cancellationToken)));
        v2.MapPost("/repository/models/{model}/unload", (string model, IModelRepositoryControl control, ProtocolErrors errors, CancellationToken cancellationToken) =>
            RepositoryChangeAsync(errors, "RepositoryModelUnload", () => control.UnloadAsync(model, cancellationToken)));
        return endpoints;
    }

    private static IResult Metadata(ModelRepository repository, ProtocolErrors errors, string modelName, string? version)
    {
        try
        {
            var model = repository.Resolve(modelName, version);
            return TypedResults.Json(
                new RestModelMetadata(
                    model.Name,
                    repository.GetVersions(model.Name),
                    OpenInferenceGrpcService.Platform,
                    [.. model.Signature.Inputs.Select(ToMetadata)],
                    [.. model.Signature.Outputs.Select(ToMetadata)]),
                RestJsonContext.Readable.RestModelMetadata);
        }
        catch (Exception exception)
        {
            return Error(errors.Translate(exception, "ModelMetadata"));
        }
    }

    private static IResult Config(ModelRepository repository, ModelConfigDescription description, ProtocolErrors errors, string modelName, string? version)
    {
        try
        {
            var model = repository.Resolve(modelName, version);
            var batching = description.BatchingOf(model);
            return TypedResults.Json(
                new RestModelConfig(
                    model.Name,
                    OpenInferenceGrpcService.Platform,
                    ModelConfigDescription.Backend,
                    batching?.MaxBatchSize ?? 0,
                    [.. model.Signature.Inputs.Select(spec => ToConfigTensor(spec, batching))],
                    [.. model.Signature.Outputs.Select(spec => ToConfigTensor(spec, batching))],
                    batching is null
                        ? null
                        : new RestDynamicBatching(
                            batching.PreferredBatchSizes,
                            (long)batching.MaxQueueDelay.TotalMicroseconds,
                            batching.PriorityLevels,
                            batching.DefaultPriorityLevel),
                    [new RestInstanceGroup(model.Name, model.Batching.InstanceCount, model.ExecutionProvider == ExecutionProvider.Cuda ? "KIND_GPU" : "KIND_CPU")],
                    new Dictionary<string, RestModelParameter>
                    {
                        [ModelConfigDescription.ExecutionPlanParameter] = new(model.Plan.Reason),
                    }),
                RestJsonContext.Readable.RestModelConfig);
        }
        catch (Exception exception)
        {
            return Error(errors.Translate(exception, "ModelConfig"));
        }
    }

    // Readiness is the status code (200 or 400), as the protocol defines it; the body says the same for people.
    private static JsonHttpResult<RestModelReady> Ready(ModelRepository repository, string modelName, string? version)
    {
        var ready = repository.IsModelReady(modelName, version);
        return TypedResults.Json(
            new RestModelReady(EchoedText.Of(modelName), ready),
            RestJsonContext.Readable.RestModelReady,
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    private static IResult Statistics(ModelRepository repository, ProtocolErrors errors, string? modelName, string? version)
    {
        try
        {
            var statistics = ModelStatisticsQuery.Snapshot(repository, modelName, version).Select(ToRest).ToList();
            return TypedResults.Json(new RestModelStatisticsResponse(statistics), RestJsonContext.Readable.RestModelStatisticsResponse);
        }
        catch (Exception exception)
        {
            return Error(errors.Translate(exception, "ModelStatistics"));
        }
    }

    private static async Task InferAsync(HttpContext context, string modelName, string? version)
    {
        var services = context.RequestServices;
        var pipeline = services.GetRequiredService<PredictionPipeline>();
        var accounting = services.GetRequiredService<RequestAccounting>();
        var errors = services.GetRequiredService<ProtocolErrors>();
        var record = new RequestRecord(modelName, version, InferenceProtocol.Rest);
        var status = StatusCode.OK;
        try
        {
            // A model or version this replica does not serve is refused before its body is read and paid for.
            services.GetRequiredService<ModelRepository>().Resolve(modelName, version);
            var request = await ReadInferenceRequestAsync(context, modelName, version);
            using var response = await pipeline.InferAsync(request.Request, record, context.RequestAborted);
            await WriteInferenceResponseAsync(context, response, request.IsBinaryOutput);
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            // Kestrel refuses a body above its limit (and a body that ends before its Content-Length) while it is
            // read; say what the limit is, or what was wrong with the body.
            var failure = exception switch
            {
                BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => Oversized(services),
                BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } unsupported => new ProtocolFailure(StatusCode.InvalidArgument, unsupported.Message),
                BadHttpRequestException bad => new ProtocolFailure(StatusCode.InvalidArgument, $"the request body could not be read: {bad.Message}"),
                _ => errors.Translate(exception, "ModelInfer"),
            };
            status = failure.Code;
            await Error(failure, (exception as BadHttpRequestException)?.StatusCode).ExecuteAsync(context);
        }
        finally
        {
            accounting.Complete(record, status);
        }
    }

    private static ProtocolFailure Oversized(IServiceProvider services)
    {
        services.GetRequiredService<OversizedMessages>().Record();
        return new ProtocolFailure(StatusCode.ResourceExhausted, BodyTooLarge(services));
    }

    private static async Task<RestInferenceRequest> ReadInferenceRequestAsync(HttpContext context, string modelName, string? version)
    {
        // Bodies are read as sent: a compressed one would otherwise be refused as JSON that starts with a strange byte.
        if (context.Request.Headers.ContentEncoding is [{ } encoding, ..] && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadHttpRequestException(
                $"Content-Encoding '{EchoedText.Of(encoding)}' is not supported; send the body uncompressed (binary tensor data keeps large inputs compact)",
                StatusCodes.Status415UnsupportedMediaType);
        }

        int? jsonLength = null;
        if (context.Request.Headers.TryGetValue(RestInferenceJson.InferenceHeaderContentLength, out var header))
        {
            jsonLength = int.TryParse(header, out var length)
                ? length
                : throw InferenceException.InvalidArgument($"{RestInferenceJson.InferenceHeaderContentLength} is '{EchoedText.Of(header)}'; it must be a byte count");
        }

        var body = await ReadBodyAsync(context);
        return RestInferenceJson.ReadRequest(body, jsonLength, modelName, version);
    }

    /// <summary>
    /// Reads the whole body, which is kept: binary inputs are handed to the runtime in place, without a copy. A
    /// declared Content-Length above the limit is refused before anything is read; one within it is believed only
    /// as far as bytes arrive: the buffer starts at <see cref="UpFrontBodyBytes"/> at most and doubles as the
    /// body fills it, so a client that declares 64 MiB and sends four bytes costs no more than any other.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        var declared = request.ContentLength;
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        if (declared > limit)
        {
            throw new BadHttpRequestException($"Content-Length {declared} is over the limit", StatusCodes.Status413PayloadTooLarge);
        }

        var buffer = new byte[(int)Math.Min(declared ?? UnknownLengthBodyBytes, UpFrontBodyBytes)];
        var length = 0;
        while (declared is null || length < declared)
        {
            if (length == buffer.Length)
            {
                // Kestrel refuses bytes past the limit (413) and past a declared length, so this stays within both.
                var grown = (int)Math.Min(Array.MaxLength, Math.Min((long)buffer.Length * 2, declared ?? long.MaxValue));
                Array.Resize(ref buffer, Math.Max(grown, buffer.Length + 1));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return buffer.AsMemory(0, length);
    }

    private static async Task WriteInferenceResponseAsync(HttpContext context, InferenceResponse response, Func<string, bool> isBinaryOutput)
    {
        var json = new ArrayBufferWriter<byte>();
        bool anyBinary;
        await using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = RestJsonContext.Encoder }))
        {
            anyBinary = RestInferenceJson.WriteResponse(writer, response, isBinaryOutput);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        if (anyBinary)
        {
            context.Response.ContentType = "application/octet-stream";
            context.Response.Headers[RestInferenceJson.InferenceHeaderContentLength] = json.WrittenCount.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            context.Response.ContentType = "application/json";
        }

        var body = context.Response.BodyWriter;
        body.Write(json.WrittenSpan);
        if (anyBinary)
        {
            RestInferenceJson.WriteBinaryOutputs(body, response, isBinaryOutput);
        }

        await body.FlushAsync(context.RequestAborted);
    }

    private static string BodyTooLarge(IServiceProvider services)
    {
        var limit = services.GetRequiredService<IOptions<InferenceOptions>>().Value.MaxMessageBytes;
        return $"the request body exceeds the limit of {limit} bytes ({limit / (1024.0 * 1024.0):0.##} MiB, Inference:MaxMessageBytes); send fewer rows per call";
    }

    private static async Task<IResult> RepositoryIndexAsync(HttpContext context, IModelRepositoryControl control, ProtocolErrors errors)
    {
        try
        {
            // The body ({"ready": true}) is optional.
            var request = context.Request.ContentLength is null or 0
                ? new RestRepositoryIndexRequest()
                : await JsonSerializer.DeserializeAsync(context.Request.Body, RestJsonContext.Default.RestRepositoryIndexRequest, context.RequestAborted)
                    ?? new RestRepositoryIndexRequest();
            var entries = await control.IndexAsync(request.Ready, context.RequestAborted);
            IReadOnlyList<RestRepositoryIndexEntry> body = [.. entries.Select(entry => new RestRepositoryIndexEntry(entry.Name, entry.Version, entry.State, entry.Reason))];
            return TypedResults.Json(body, RestJsonContext.Readable.IReadOnlyListRestRepositoryIndexEntry);
        }
        catch (JsonException exception)
        {
            return Error(new ProtocolFailure(StatusCode.InvalidArgument, $"the request body is not valid JSON: {exception.Message}"));
        }
        catch (Exception exception)
        {
            return Error(errors.Translate(exception, "RepositoryIndex"));
        }
    }

    private static async Task<IResult> RepositoryChangeAsync(ProtocolErrors errors, string operation, Func<Task> change)
    {
        try
        {
            await change();
            return TypedResults.Ok();
        }
        catch (Exception exception)
        {
            return Error(errors.Translate(exception, operation));
        }
    }

    private static JsonHttpResult<RestError> Error(ProtocolFailure failure, int? statusCode = null) =>
        TypedResults.Json(new RestError(failure.Message), RestJsonContext.Readable.RestError, statusCode: statusCode ?? failure.HttpStatus);

    private static RestTensorMetadata ToMetadata(TensorSpec spec) => new(spec.Name, spec.DatatypeName, spec.Shape);

    private static RestConfigTensor ToConfigTensor(TensorSpec spec, BatchingOptions? batching) =>
        new(spec.Name, ModelConfigDescription.ToConfigName(spec.Datatype), ModelConfigDescription.Dims(spec, batching));

    private static RestModelStatistics ToRest(ModelStatisticsSnapshot snapshot) => new(
        snapshot.ModelName,
        snapshot.ModelVersion,
        snapshot.LastInferenceUnixMs,
        snapshot.InferenceCount,
        snapshot.ExecutionCount,
        new RestInferStatistics(
            ToRest(snapshot.Success),
            ToRest(snapshot.Fail),
            ToRest(snapshot.Queue),
            ToRest(snapshot.ComputeInput),
            ToRest(snapshot.ComputeInfer),
            ToRest(snapshot.ComputeOutput)),
        [.. snapshot.BatchStats.Select(batch => new RestBatchStatistics(
            batch.BatchSize,
            ToRest(batch.ComputeInput),
            ToRest(batch.ComputeInfer),
            ToRest(batch.ComputeOutput)))]);

    private static RestStatisticDuration ToRest(DurationStatistic duration) => new(duration.Count, duration.Nanoseconds);
}
