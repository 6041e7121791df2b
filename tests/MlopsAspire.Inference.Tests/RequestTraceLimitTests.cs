using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.ServiceDefaults;
using OpenTelemetry.Instrumentation.AspNetCore;

namespace MlopsAspire.Inference.Tests;

/// <summary>Traces of inference requests capped per second, and the cap as the replica's tracing applies it.</summary>
public sealed class RequestTraceLimitTests(TracedFraudServerFixture server) : IClassFixture<TracedFraudServerFixture>
{
    private const string ModelInfer = "/inference.GRPCInferenceService/ModelInfer";

    [Fact]
    public void Limited_requests_are_traced_up_to_the_cap_each_second_and_others_always()
    {
        var time = new FakeTimeProvider();
        var limit = new RequestTraceLimit(InferenceServer.IsProtocolPath, perSecond: 3, time);

        Assert.Equal([true, true, true, false, false], Enumerable.Range(0, 5).Select(_ => limit.ShouldTrace(Request(ModelInfer))));
        Assert.True(limit.ShouldTrace(Request("/api/other")));
        Assert.False(limit.ShouldTrace(Request("/v2/models/fraud/infer")));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => limit.ShouldTrace(Request("/v2/models/fraud/infer"))));
    }

    [Fact]
    public void A_caller_that_samples_its_trace_is_always_traced_and_one_that_does_not_is_capped()
    {
        var limit = new RequestTraceLimit(InferenceServer.IsProtocolPath, perSecond: 0, new FakeTimeProvider());

        Assert.True(limit.ShouldTrace(Request(ModelInfer, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")));
        Assert.False(limit.ShouldTrace(Request(ModelInfer, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")));
        Assert.False(limit.ShouldTrace(Request(ModelInfer, "not a trace context")));
        Assert.False(limit.ShouldTrace(Request(ModelInfer, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-zz")));
        Assert.False(limit.ShouldTrace(Request(ModelInfer)));
    }

    [Fact]
    public void Many_threads_together_take_exactly_the_cap()
    {
        var limit = new RequestTraceLimit(InferenceServer.IsProtocolPath, perSecond: 1000, new FakeTimeProvider());
        var traced = 0;
        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            if (limit.ShouldTrace(Request(ModelInfer)))
            {
                Interlocked.Increment(ref traced);
            }
        });

        Assert.Equal(1000, traced);
    }

    [Fact]
    public void A_cap_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestTraceLimit(InferenceServer.IsProtocolPath, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RequestTraceLimit(InferenceServer.IsProtocolPath, RequestTraceLimit.MaxPerSecond + 1));
    }

    [Fact]
    public void The_replicas_request_tracing_applies_its_configured_cap_and_still_leaves_out_health_probes()
    {
        var filter = server.Services.GetRequiredService<IOptionsMonitor<AspNetCoreTraceInstrumentationOptions>>().CurrentValue.Filter;
        Assert.NotNull(filter);
        Assert.Equal(2, server.Services.GetRequiredService<RequestTraceLimit>().PerSecond);

        // Other tests' requests may have used this second's allowance, so only the cap is certain.
        var traced = Enumerable.Range(0, 10).Count(_ => filter(Request(ModelInfer)));
        Assert.InRange(traced, 0, 2);
        Assert.True(filter(Request("/not-inference")));
        Assert.False(filter(Request("/health")));
    }

    private static DefaultHttpContext Request(string path, string? traceParent = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        if (traceParent is not null)
        {
            context.Request.Headers.TraceParent = traceParent;
        }

        return context;
    }
}
