using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlopsAspire.LoadTest.Echo;
using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Targets;
using MlopsAspire.LoadTest.Workloads;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>
/// An in-process replica brings a tracer that listens to the whole process. The baselines must still measure each
/// contender as a separate client would: the generator's calls are not traced, and a baseline server is not traced.
/// Alone in their collection, because the tracers and listeners here would see other tests' hosts.
/// </summary>
[Collection(TracingIsolationCollection.Name)]
public sealed class TracingIsolationTests
{
    [Fact]
    public async Task The_generators_calls_carry_no_sampled_trace_context_while_a_tracer_samples_everything_in_the_process()
    {
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .SetSampler(new AlwaysOnSampler())
            .AddGrpcClientInstrumentation()
            .AddHttpClientInstrumentation()
            .Build();
        var traceParents = new ConcurrentQueue<string>();
        await using var host = await LoopbackGrpcHost.StartAsync(
            services => services.AddSingleton(traceParents),
            app => app.MapGrpcService<TraceParentRecordingEcho>());
        var sender = new EchoSender(GrpcChannels.CreateMany(host.Address, 1), requestBytes: 64, replyBytes: 64);
        await using (sender)
        {
            await LoadRunner.RunAsync(
                "echo",
                sender,
                new WorkloadSettings { Model = WorkloadModel.Closed, Concurrency = 2, Duration = TimeSpan.FromMilliseconds(300), Warmup = TimeSpan.Zero },
                TimeProvider.System,
                progress: null,
                CancellationToken.None);
        }

        Assert.NotEmpty(traceParents);
        // W3C trace context: version-traceid-parentid-flags; flag bit 0 asks the server to record the trace.
        Assert.DoesNotContain(traceParents, traceParent => traceParent.EndsWith("-01", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_baseline_server_starts_no_request_activity_a_tracer_can_see()
    {
        var started = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity => started.Enqueue(activity.OperationName),
        };
        ActivitySource.AddActivityListener(listener);
        await using var echo = await EchoGrpcService.StartAsync();
        var channels = GrpcChannels.CreateMany(echo.Address, 1);
        try
        {
            var reply = await new EchoService.EchoServiceClient(channels[0]).EchoAsync(new EchoRequest { ReplyBytes = 8 });
            Assert.Equal(8, reply.Payload.Length);
        }
        finally
        {
            channels[0].Dispose();
        }

        Assert.Empty(started);
    }

    private sealed class TraceParentRecordingEcho(ConcurrentQueue<string> traceParents) : EchoService.EchoServiceBase
    {
        public override Task<EchoReply> Echo(EchoRequest request, ServerCallContext context)
        {
            traceParents.Enqueue(context.RequestHeaders.GetValue("traceparent") ?? "none");
            return Task.FromResult(new EchoReply());
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingIsolationCollection
{
    public const string Name = "Tracing isolation";
}
