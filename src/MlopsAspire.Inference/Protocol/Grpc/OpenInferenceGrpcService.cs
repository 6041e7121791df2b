using System.Threading.Channels;
using Grpc.Core;
using Inference;
using Microsoft.Extensions.Options;
using MlopsAspire.Inference.Models;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;
using MlopsAspire.Serving;
using MlopsAspire.Serving.Statistics;

namespace MlopsAspire.Inference.Protocol.Grpc;

/// <summary>
/// The Open Inference Protocol (KServe v2 / Triton) gRPC service over the serving engine: health, metadata,
/// configuration, unary and streaming inference, statistics and the model repository. See <see cref="ProtoInferenceCodec"/>
/// for how tensors are encoded.
/// </summary>
public sealed partial class OpenInferenceGrpcService(
    PredictionPipeline pipeline,
    RequestAccounting accounting,
    IModelRepositoryControl repositoryControl,
    ServerIdentity server,
    ModelConfigDescription configDescription,
    ProtocolErrors errors,
    IOptions<InferenceOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<OpenInferenceGrpcService> logger) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public const string Platform = "onnxruntime_onnx";

    private ModelRepository Repository => pipeline.Engine.Repository;

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = Repository.IsReady });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = server.Name, Version = server.Version };
        response.Extensions.AddRange(server.Extensions);
        return Task.FromResult(response);
    }

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = Repository.IsModelReady(request.Name, request.Version) });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        try
        {
            var model = Repository.Resolve(request.Name, request.Version);
            var response = new ModelMetadataResponse { Name = model.Name, Platform = Platform };
            response.Versions.AddRange(Repository.GetVersions(model.Name));
            response.Inputs.AddRange(model.Signature.Inputs.Select(ToMetadata));
            response.Outputs.AddRange(model.Signature.Outputs.Select(ToMetadata));
            return Task.FromResult(response);
        }
        catch (Exception exception)
        {
            throw errors.Translate(exception, nameof(ModelMetadata)).ToRpcException();
        }
    }

    public override Task<ModelConfigResponse> ModelConfig(ModelConfigRequest request, ServerCallContext context)
    {
        try
        {
            var model = Repository.Resolve(request.Name, request.Version);
            return Task.FromResult(new ModelConfigResponse { Config = configDescription.Describe(model) });
        }
        catch (Exception exception)
        {
            throw errors.Translate(exception, nameof(ModelConfig)).ToRpcException();
        }
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var record = new RequestRecord(request.ModelName, request.ModelVersion, InferenceProtocol.Grpc);
        var status = StatusCode.OK;
        try
        {
            var engineRequest = ProtoInferenceCodec.ToEngineRequest(request, ProtoInferenceCodec.Deadline(context.Deadline));
            using var result = await pipeline.InferAsync(engineRequest, record, context.CancellationToken);
            return ProtoInferenceCodec.ToResponse(request, result);
        }
        catch (Exception exception)
        {
            var failure = errors.Translate(exception, nameof(ModelInfer));
            status = failure.Code;
            throw failure.ToRpcException();
        }
        finally
        {
            accounting.Complete(record, status);
        }
    }

    /// <summary>
    /// Each request starts as soon as it is read, so that several of one stream compute (and batch) together;
    /// responses go out as they complete, through a single writer because stream writes must not overlap.
    /// A failed request is answered with its error and the stream goes on. At most
    /// <see cref="InferenceOptions.StreamMaxInFlight"/> requests of a stream are computing or waiting for their
    /// response to be sent; beyond that the stream stops reading, which pushes back on the client through HTTP/2
    /// flow control.
    /// </summary>
    public override async Task ModelStreamInfer(
        IAsyncStreamReader<ModelInferRequest> requestStream,
        IServerStreamWriter<ModelStreamInferResponse> responseStream,
        ServerCallContext context)
    {
        var maxInFlight = Math.Max(1, options.Value.StreamMaxInFlight);
        var inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        // Bounded too, so a client that does not read its responses also runs out of slots and stops being read.
        var responses = Channel.CreateBounded<ModelStreamInferResponse>(new BoundedChannelOptions(maxInFlight) { SingleReader = true });
        using var streamEnd = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var deadline = ProtoInferenceCodec.Deadline(context.Deadline);
        var writing = WriteStreamResponsesAsync(responses.Reader, responseStream, streamEnd, context);
        // A stream never ends by itself, and a stopping server waits for its open calls: when this replica stops, the
        // stream takes no more requests, answers those it took, and ends with UNAVAILABLE so the client opens another.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(streamEnd.Token, lifetime.ApplicationStopping);
        var stopping = false;
        try
        {
            while (await requestStream.MoveNext(reading.Token))
            {
                var request = requestStream.Current;
                await inFlight.WaitAsync(reading.Token);
                // Off the reading loop: with an executor that runs inline, awaiting here would serialise compute.
                _ = Task.Run(async () =>
                {
                    try
                    {
                        var response = await InferStreamRequestAsync(request, deadline, streamEnd.Token);
                        // Holds the slot while the client is slow to read what is already answered.
                        await responses.Writer.WriteAsync(response, streamEnd.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The stream ended; nobody will read this response.
                    }
                    finally
                    {
                        inFlight.Release();
                    }
                });
            }
        }
        catch (Exception exception) when (streamEnd.IsCancellationRequested && exception is OperationCanceledException or RpcException)
        {
            // The client went away or the response stream broke; nobody is left to answer.
        }
        catch (Exception exception) when (lifetime.ApplicationStopping.IsCancellationRequested && exception is OperationCanceledException or RpcException)
        {
            stopping = true;
        }
        finally
        {
            // Every permit back means no request of this stream is still running.
            for (var i = 0; i < maxInFlight; i++)
            {
                await inFlight.WaitAsync(CancellationToken.None);
            }

            responses.Writer.TryComplete();
            await writing;
        }

        if (stopping && !streamEnd.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "This replica is stopping; the requests this stream sent were answered. Open a new stream to go on."));
        }
    }

    private async Task<ModelStreamInferResponse> InferStreamRequestAsync(ModelInferRequest request, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var record = new RequestRecord(request.ModelName, request.ModelVersion, InferenceProtocol.GrpcStream);
        var status = StatusCode.OK;
        try
        {
            using var result = await pipeline.InferAsync(ProtoInferenceCodec.ToEngineRequest(request, deadline), record, cancellationToken);
            return new ModelStreamInferResponse { InferResponse = ProtoInferenceCodec.ToResponse(request, result) };
        }
        catch (Exception exception)
        {
            var failure = errors.Translate(exception, nameof(ModelStreamInfer));
            status = failure.Code;
            return new ModelStreamInferResponse
            {
                ErrorMessage = failure.Message,
                // The id lets the client match the error to its request.
                InferResponse = new ModelInferResponse { Id = request.Id, ModelName = EchoedText.Of(request.ModelName), ModelVersion = EchoedText.Of(request.ModelVersion) },
            };
        }
        finally
        {
            accounting.Complete(record, status);
        }
    }

    /// <summary>How many stream responses at most go out in one flush.</summary>
    public const int MaxResponsesPerFlush = 32;

    private static readonly WriteOptions AppendOnly = new(WriteFlags.BufferHint);
    private static readonly WriteOptions AppendAndFlush = new();

    private async Task WriteStreamResponsesAsync(
        ChannelReader<ModelStreamInferResponse> responses,
        IServerStreamWriter<ModelStreamInferResponse> responseStream,
        CancellationTokenSource streamEnd,
        ServerCallContext context)
    {
        try
        {
            var buffered = 0;
            await foreach (var response in responses.ReadAllAsync(streamEnd.Token))
            {
                // While more responses are already waiting, each is only appended to the response body and the last
                // of the run flushes them together: a busy stream sends many responses per socket write instead of
                // one write per response. The bound keeps a never-ending run from holding responses back.
                var more = responses.TryPeek(out _) && ++buffered < MaxResponsesPerFlush;
                responseStream.WriteOptions = more ? AppendOnly : AppendAndFlush;
                if (!more)
                {
                    buffered = 0;
                }

                await responseStream.WriteAsync(response, streamEnd.Token);
            }
        }
        catch (Exception exception)
        {
            // No response can be written any more: stop reading and computing requests too.
            await streamEnd.CancelAsync();
            if (context.CancellationToken.IsCancellationRequested)
            {
                LogClientWentAway(exception);
                return;
            }

            throw;
        }
    }

    public override Task<ModelStatisticsResponse> ModelStatistics(ModelStatisticsRequest request, ServerCallContext context)
    {
        try
        {
            var response = new ModelStatisticsResponse();
            response.ModelStats.AddRange(ModelStatisticsQuery.Snapshot(Repository, request.Name, request.Version).Select(ToProto));
            return Task.FromResult(response);
        }
        catch (Exception exception)
        {
            throw errors.Translate(exception, nameof(ModelStatistics)).ToRpcException();
        }
    }

    public override async Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        try
        {
            var response = new RepositoryIndexResponse();
            foreach (var entry in await repositoryControl.IndexAsync(request.Ready, context.CancellationToken))
            {
                response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
                {
                    Name = entry.Name,
                    Version = entry.Version,
                    State = entry.State,
                    Reason = entry.Reason,
                });
            }

            return response;
        }
        catch (Exception exception)
        {
            throw errors.Translate(exception, nameof(RepositoryIndex)).ToRpcException();
        }
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        try
        {
            await repositoryControl.LoadAsync(request.ModelName, context.CancellationToken);
            return new RepositoryModelLoadResponse();
        }
        catch (Exception exception)
        {
            throw errors.Translate(exception, nameof(RepositoryModelLoad)).ToRpcException();
        }
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        try
        {
            await repositoryControl.UnloadAsync(request.ModelName, context.CancellationToken);
            return new RepositoryModelUnloadResponse();
        }
        catch (Exception exception)
        {
            throw errors.Translate(exception, nameof(RepositoryModelUnload)).ToRpcException();
        }
    }

    private static global::Inference.ModelStatistics ToProto(ModelStatisticsSnapshot snapshot)
    {
        var statistics = new global::Inference.ModelStatistics
        {
            Name = snapshot.ModelName,
            Version = snapshot.ModelVersion,
            LastInference = (ulong)Math.Max(0, snapshot.LastInferenceUnixMs),
            InferenceCount = (ulong)Math.Max(0, snapshot.InferenceCount),
            ExecutionCount = (ulong)Math.Max(0, snapshot.ExecutionCount),
            InferenceStats = new InferStatistics
            {
                Success = ToProto(snapshot.Success),
                Fail = ToProto(snapshot.Fail),
                Queue = ToProto(snapshot.Queue),
                ComputeInput = ToProto(snapshot.ComputeInput),
                ComputeInfer = ToProto(snapshot.ComputeInfer),
                ComputeOutput = ToProto(snapshot.ComputeOutput),
                CacheHit = new StatisticDuration(),
                CacheMiss = new StatisticDuration(),
            },
        };
        foreach (var batch in snapshot.BatchStats)
        {
            statistics.BatchStats.Add(new InferBatchStatistics
            {
                BatchSize = (ulong)Math.Max(0, batch.BatchSize),
                ComputeInput = ToProto(batch.ComputeInput),
                ComputeInfer = ToProto(batch.ComputeInfer),
                ComputeOutput = ToProto(batch.ComputeOutput),
            });
        }

        return statistics;
    }

    private static StatisticDuration ToProto(DurationStatistic duration) =>
        new() { Count = (ulong)Math.Max(0, duration.Count), Ns = (ulong)Math.Max(0, duration.Nanoseconds) };

    private static ModelMetadataResponse.Types.TensorMetadata ToMetadata(TensorSpec spec)
    {
        var metadata = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = spec.DatatypeName };
        metadata.Shape.AddRange(spec.Shape);
        return metadata;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "ModelStreamInfer client went away")]
    private partial void LogClientWentAway(Exception exception);
}
