using System.Collections.Concurrent;
using System.Net;
using Grpc.Core;
using Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.V1;

namespace MlopsAspire.Cli.Tests;

/// <summary>
/// A stand-in for the platform on one loopback gRPC port, for the drift scenario: inference that always answers
/// "not fraud" from version 1, then from version 2 after a set number of calls, failing every 25th call; a model
/// whose routes follow the same switch (version 2 shadows until it takes over); and feedback that joins request ids.
/// </summary>
internal sealed class StandInDriftPlatform : IAsyncLifetime, IAsyncDisposable
{
    public const string ApiKey = "operator-key";
    public const int FailEveryNthCall = 25;

    private WebApplication? _app;
    private long _calls;

    public string Address { get; private set; } = "";

    /// <summary>Inference calls after which version 2 is production; never by default.</summary>
    public long SwitchProductionAfterCalls { get; set; } = long.MaxValue;

    public string Production => Interlocked.Read(ref _calls) >= SwitchProductionAfterCalls ? "2" : "1";

    /// <summary>The rows of each answered request, by request id.</summary>
    public ConcurrentDictionary<string, float[][]> Features { get; } = new();

    /// <summary>The labels fed back for each request id.</summary>
    public ConcurrentDictionary<string, float[]> Labels { get; } = new();

    public ConcurrentBag<string> FeedbackBatches { get; } = [];

    /// <summary>The retraining and promotion policies the scenario set, by model.</summary>
    public ConcurrentDictionary<string, RetrainingPolicy> RetrainingPolicies { get; } = new();

    public ConcurrentDictionary<string, PromotionPolicy> PromotionPolicies { get; } = new();

    public async Task InitializeAsync()
    {
        // A content root without appsettings.json: the test output holds the inference server's, whose fixed ports would clash.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<StandInInference>();
        _app.MapGrpcService<StandInManagement>();
        _app.MapGrpcService<StandInMonitoring>();
        await _app.StartAsync();
        Address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
            _app = null;
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private long NextCall() => Interlocked.Increment(ref _calls);

    private static void Authorize(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue("authorization") != $"Bearer {ApiKey}")
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "unknown API key"));
        }
    }

    private sealed class StandInInference(StandInDriftPlatform platform) : GRPCInferenceService.GRPCInferenceServiceBase
    {
        public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
        {
            if (platform.NextCall() % FailEveryNthCall == 0)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "draining"));
            }

            var input = request.Inputs.Single();
            var rows = (int)input.Shape[0];
            platform.Features[request.Id] = [.. input.Contents.Fp32Contents.Chunk((int)input.Shape[1])];
            var output = new ModelInferResponse.Types.InferOutputTensor
            {
                Name = request.Outputs.Single().Name,
                Datatype = "FP32",
                Shape = { rows, 1 },
                Contents = new InferTensorContents { Fp32Contents = { Enumerable.Repeat(0.01f, rows) } },
            };
            return Task.FromResult(new ModelInferResponse { ModelName = request.ModelName, ModelVersion = platform.Production, Id = request.Id, Outputs = { output } });
        }
    }

    private sealed class StandInManagement(StandInDriftPlatform platform) : ModelManagement.ModelManagementBase
    {
        public override Task<RetrainingPolicy> SetRetrainingPolicy(SetRetrainingPolicyRequest request, ServerCallContext context)
        {
            Authorize(context);
            platform.RetrainingPolicies[request.Name] = request.Policy;
            return Task.FromResult(request.Policy);
        }

        public override Task<Model> GetModel(GetModelRequest request, ServerCallContext context)
        {
            Authorize(context);
            if (request.Name != "fraud")
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"Model '{request.Name}' is not registered."));
            }

            var production = platform.Production;
            return Task.FromResult(new Model
            {
                Name = "fraud",
                ProductionVersion = production,
                Versions =
                {
                    new ModelVersion { Version = "1", State = production == "1" ? ModelVersionState.Production : ModelVersionState.Ready },
                    new ModelVersion { Version = "2", State = production == "2" ? ModelVersionState.Production : ModelVersionState.Shadow },
                },
                Shadows = { production == "1" ? [new ShadowAlias { Version = "2", SampleRate = 1 }] : Array.Empty<ShadowAlias>() },
            });
        }
    }

    private sealed class StandInMonitoring(StandInDriftPlatform platform) : ModelMonitoring.ModelMonitoringBase
    {
        public override Task<PromotionPolicy> SetPromotionPolicy(SetPromotionPolicyRequest request, ServerCallContext context)
        {
            Authorize(context);
            platform.PromotionPolicies[request.ModelName] = request.Policy;
            return Task.FromResult(request.Policy);
        }

        public override Task<FeedbackResponse> SendFeedback(FeedbackRequest request, ServerCallContext context)
        {
            Authorize(context);
            platform.FeedbackBatches.Add(request.BatchId);
            var response = new FeedbackResponse();
            foreach (var item in request.Items)
            {
                if (platform.Features.ContainsKey(item.RequestId) && platform.Labels.TryAdd(item.RequestId, [.. item.Labels]))
                {
                    response.Joined++;
                }
                else
                {
                    response.UnknownRequestIds.Add(item.RequestId);
                }
            }

            return Task.FromResult(response);
        }
    }
}
