using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlopsAspire.Serving;
using static MlopsAspire.Inference.Tests.Eventually;
using MlopsAspire.Inference.Models;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Pipeline;
using MlopsAspire.Inference.Protocol;
using MlopsAspire.Inference.Protocol.Grpc;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// The stream handler against an executor that holds every request until released: requests of one stream
/// compute concurrently, up to the configured bound, and the stream stops reading beyond it.
/// </summary>
public sealed class ModelStreamInferConcurrencyTests : IDisposable
{
    private const int MaxInFlight = 4;
    private const int Requests = 20;

    private readonly ModelRepository _repository = new();
    private readonly HeldExecutor _executor = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Microsoft.Extensions.Hosting.Internal.ApplicationLifetime _lifetime = new(NullLogger<Microsoft.Extensions.Hosting.Internal.ApplicationLifetime>.Instance);

    public ModelStreamInferConcurrencyTests()
    {
        _repository.Add(OnnxModel.Load("identity", "1", IdentityModels.Create(elementType: 1, "x", "y", [-1]), new OnnxModelOptions { IntraOpThreads = 1 }));
        _repository.SetDefaultVersion("identity", "1");
    }

    [Fact]
    public async Task Requests_of_one_stream_compute_together_up_to_the_bound()
    {
        var service = CreateService();
        var requests = new QueuedRequestStream(Enumerable.Range(0, Requests).Select(Request));
        var responses = new CollectingResponseStream();

        var streaming = service.ModelStreamInfer(requests, responses, new StreamCallContext());

        await Until(() => _executor.Running == MaxInFlight);
        // Held at the bound: one more request may have been read and wait for a slot, no further. A negative check:
        // the executor holds every request, so a correct handler reads no further however long it is given, and a
        // slow machine can only give a wrong one less time to show it.
        await Task.Delay(200);
        Assert.Equal(MaxInFlight, _executor.Running);
        Assert.InRange(requests.Read, MaxInFlight, MaxInFlight + 1);
        Assert.Empty(responses.Written);

        _executor.ReleaseAll();
        await streaming.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(MaxInFlight, _executor.MaxRunning);
        Assert.Equal(Requests, responses.Written.Count);
        Assert.Equal(
            Enumerable.Range(0, Requests).Select(i => $"r{i}").Order(),
            responses.Written.Select(response => response.InferResponse.Id).Order());
        Assert.All(responses.Written, response =>
        {
            Assert.Equal("", response.ErrorMessage);
            var index = int.Parse(response.InferResponse.Id[1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal([(float)index], MemoryMarshal.Cast<byte, float>(response.InferResponse.RawOutputContents[0].Span).ToArray());
        });
    }

    [Fact]
    public async Task A_client_that_does_not_read_responses_stops_being_read()
    {
        _executor.ReleaseAll();
        var service = CreateService();
        var requests = new QueuedRequestStream(Enumerable.Range(0, Requests).Select(Request));
        var responses = new CollectingResponseStream();
        responses.Hold();

        var streaming = service.ModelStreamInfer(requests, responses, new StreamCallContext());

        // Slots fill with answered requests whose responses wait: bounded reading, nothing lost.
        await Until(() => requests.Read >= MaxInFlight);
        // A negative check, as above: responses are held, so the bound holds however long the handler is given.
        await Task.Delay(300);
        Assert.InRange(requests.Read, MaxInFlight, (2 * MaxInFlight) + 2);

        responses.Release();
        await streaming.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Requests, requests.Read);
        Assert.Equal(Requests, responses.Written.Count);
    }

    [Fact]
    public async Task Responses_waiting_together_are_flushed_together_and_the_last_of_a_run_always_flushes()
    {
        _executor.ReleaseAll();
        var service = CreateService();
        var requests = new QueuedRequestStream(Enumerable.Range(0, Requests).Select(Request));
        var responses = new CollectingResponseStream();
        responses.Hold();

        var streaming = service.ModelStreamInfer(requests, responses, new StreamCallContext());
        // Answered requests pile up behind the held write. With it held, reading ends in one place: a response in the
        // writer, a full channel, a full set of running requests and one read waiting for a slot. Only then are
        // responses certain to be waiting together; fewer reads can be passed before any response reaches the writer.
        await Until(() => requests.Read == (2 * MaxInFlight) + 2);
        responses.Release();
        await streaming.WaitAsync(TimeSpan.FromSeconds(30));

        var flushes = responses.Flushes.ToArray();
        Assert.Equal(Requests, flushes.Length);
        Assert.True(flushes[^1], "the last response was not flushed");
        Assert.Contains(false, flushes); // the piled-up responses went out without a flush each
        var run = 0;
        foreach (var flushed in flushes)
        {
            run = flushed ? 0 : run + 1;
            Assert.True(run < OpenInferenceGrpcService.MaxResponsesPerFlush, "more responses held back than one flush may carry");
        }
    }

    [Fact]
    public async Task A_stopping_replica_answers_the_requests_a_stream_sent_and_ends_it_as_unavailable()
    {
        var service = CreateService();
        var requests = new QueuedRequestStream(Enumerable.Range(0, 3).Select(Request), staysOpen: true);
        var responses = new CollectingResponseStream();

        var streaming = service.ModelStreamInfer(requests, responses, new StreamCallContext());
        await Until(() => _executor.Running == 3);
        _lifetime.StopApplication();
        _executor.ReleaseAll();

        var ended = await Assert.ThrowsAsync<RpcException>(() => streaming.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
        Assert.Contains("replica is stopping", ended.Status.Detail);
        Assert.Equal(["r0", "r1", "r2"], responses.Written.Select(response => response.InferResponse.Id).Order());
        Assert.All(responses.Written, response => Assert.Equal("", response.ErrorMessage));
    }

    public void Dispose()
    {
        _executor.ReleaseAll();
        _repository.Dispose();
        _services.Dispose();
    }

    private OpenInferenceGrpcService CreateService()
    {
        var engine = new InferenceEngine(_repository, _executor);
        var control = new RoutingTableModelControl(_repository, new VersionLoadStates(Options.Create(new InferenceOptions()), TimeProvider.System));
        var monitoring = new ReplicaMonitoring(TimeProvider.System);
        var pipeline = new PredictionPipeline(
            engine,
            new TrafficRoutes(),
            monitoring,
            Options.Create(new MonitoringOptions()),
            NullLogger<PredictionPipeline>.Instance);
        return new OpenInferenceGrpcService(
            pipeline,
            new RequestAccounting(
                new InferenceMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), _repository),
                monitoring),
            control,
            new ServerIdentity(control),
            new ModelConfigDescription(_executor),
            new ProtocolErrors(NullLogger<ProtocolErrors>.Instance),
            Options.Create(new InferenceOptions { StreamMaxInFlight = MaxInFlight }),
            _lifetime,
            NullLogger<OpenInferenceGrpcService>.Instance);
    }

    private static ModelInferRequest Request(int i)
    {
        var request = new ModelInferRequest { ModelName = "identity", Id = $"r{i}" };
        request.Inputs.Add(FraudRequests.Tensor("x", "FP32", 1));
        request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(new[] { (float)i }.AsSpan())));
        return request;
    }

    /// <summary>Runs each request inline once released, counting how many wait at the same time.</summary>
    private sealed class HeldExecutor : IInferenceExecutor
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _running;
        private int _maxRunning;

        public TimeProvider TimeProvider => TimeProvider.System;

        public int Running => Volatile.Read(ref _running);

        public int MaxRunning => Volatile.Read(ref _maxRunning);

        public void ReleaseAll() => _release.TrySetResult();

        public async ValueTask<ExecutionOutputs> ExecuteAsync(OnnxModel model, ExecutionRequest request, CancellationToken cancellationToken)
        {
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref _maxRunning, running);
            try
            {
                await _release.Task.WaitAsync(cancellationToken);
                return await InlineInferenceExecutor.Instance.ExecuteAsync(model, request, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            var current = Volatile.Read(ref target);
            while (value > current && Interlocked.CompareExchange(ref target, value, current) != current)
            {
                current = Volatile.Read(ref target);
            }
        }
    }

    /// <param name="staysOpen">After the requests, wait for more as a client that keeps its stream open does.</param>
    private sealed class QueuedRequestStream(IEnumerable<ModelInferRequest> requests, bool staysOpen = false) : IAsyncStreamReader<ModelInferRequest>
    {
        private readonly IEnumerator<ModelInferRequest> _requests = requests.GetEnumerator();
        private int _read;

        public int Read => Volatile.Read(ref _read);

        public ModelInferRequest Current => _requests.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var moved = _requests.MoveNext();
            if (moved)
            {
                Interlocked.Increment(ref _read);
            }
            else if (staysOpen)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return moved;
        }
    }

    private sealed class CollectingResponseStream : IServerStreamWriter<ModelStreamInferResponse>
    {
        private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _writing;

        public CollectingResponseStream() => _open.SetResult();

        /// <summary>Writes wait, as they do for a client that does not read.</summary>
        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _open.TrySetResult();

        public ConcurrentQueue<ModelStreamInferResponse> Written { get; } = new();

        /// <summary>Per write, in order: whether it flushed (no <see cref="WriteFlags.BufferHint"/>).</summary>
        public ConcurrentQueue<bool> Flushes { get; } = new();

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ModelStreamInferResponse message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(ModelStreamInferResponse message, CancellationToken cancellationToken)
        {
            // Stream writes must never overlap.
            Assert.Equal(1, Interlocked.Increment(ref _writing));
            await _open.Task.WaitAsync(cancellationToken);
            Flushes.Enqueue(WriteOptions is not { } options || (options.Flags & WriteFlags.BufferHint) == 0);
            Written.Enqueue(message);
            Interlocked.Decrement(ref _writing);
        }
    }

    private sealed class StreamCallContext : ServerCallContext
    {
        private readonly Metadata _requestHeaders = [];
        private readonly Metadata _responseTrailers = [];
        private readonly Dictionary<object, object> _userState = [];

        protected override string MethodCore => "/inference.GRPCInferenceService/ModelStreamInfer";

        protected override string HostCore => "localhost";

        protected override string PeerCore => "test";

        protected override DateTime DeadlineCore => DateTime.MaxValue;

        protected override Metadata RequestHeadersCore => _requestHeaders;

        protected override CancellationToken CancellationTokenCore => CancellationToken.None;

        protected override Metadata ResponseTrailersCore => _responseTrailers;

        protected override Status StatusCore { get; set; }

        protected override WriteOptions? WriteOptionsCore { get; set; }

        protected override AuthContext AuthContextCore => new(null, []);

        protected override IDictionary<object, object> UserStateCore => _userState;

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
            throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
