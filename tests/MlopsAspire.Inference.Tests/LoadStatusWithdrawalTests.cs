using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Abstractions;
using MlopsAspire.Grains;
using MlopsAspire.Inference.Models;
using MlopsAspire.Inference.Monitoring;
using MlopsAspire.Inference.Protocol.Grpc;
using Orleans.TestingHost;
using static MlopsAspire.Inference.Tests.Eventually;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// A stopping replica withdraws its load reports from an in-process control plane, for no longer than its
/// withdrawal bound on the replica's clock, even when the control plane takes the call and never answers.
/// </summary>
public sealed class LoadStatusWithdrawalTests : IAsyncLifetime
{
    private const string ModelName = "withdrawn";
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly UnansweredReports _reports = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(TimeProvider.System);
            silo.AddMemoryGrainStorage(GrainStorageNames.Models);
            silo.AddIncomingGrainCallFilter(_reports.FilterAsync);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        _reports.AnswerAgain();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_withdrawal_the_control_plane_never_answers_is_abandoned_when_the_bound_is_over_on_the_replicas_clock()
    {
        var bound = TimeSpan.FromSeconds(3);
        var publisherClock = new TimerCountingClock(_clock);
        var loads = new VersionLoadStates(Options.Create(new InferenceOptions()), _clock);
        loads.Loaded(ModelName, "1", "content-1");
        using var publisher = new LoadStatusPublisher(
            _cluster.Client,
            loads,
            new ReplicaMonitoring(_clock),
            new AdvertisedGrpcAddress("http://replica:5001"),
            Options.Create(new MonitoringOptions { LoadReportWithdrawalTimeout = bound }),
            publisherClock,
            NullLogger<LoadStatusPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None);
        var reported = await _reports.Taken.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(reported.Versions);
        // Answered: the publisher waits for its next report, and has a report to withdraw.
        await Until(() => publisherClock.TimersCreated == 1, "the first report answered");

        // From now on the control plane takes reports and never answers them.
        _reports.StopAnswering();
        var stopping = publisher.StopAsync(CancellationToken.None);
        var withdrawal = await _reports.Taken.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(withdrawal.Versions);

        _clock.Advance(bound - TimeSpan.FromMilliseconds(1));
        Assert.False(stopping.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A silo filter that records every load report the control plane takes and, once told, leaves them unanswered.</summary>
    private sealed class UnansweredReports
    {
        private readonly Channel<ReplicaLoadReport> _taken = Channel.CreateUnbounded<ReplicaLoadReport>();
        private readonly TaskCompletionSource _answerAgain = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _answering = true;

        public ChannelReader<ReplicaLoadReport> Taken => _taken.Reader;

        public void StopAnswering() => _answering = false;

        public void AnswerAgain() => _answerAgain.TrySetResult();

        public async Task FilterAsync(IIncomingGrainCallContext context)
        {
            if (context.Request.GetArgumentCount() > 0 && context.Request.GetArgument(0) is ReplicaLoadReport report)
            {
                _taken.Writer.TryWrite(report);
                if (!_answering)
                {
                    await _answerAgain.Task;
                }
            }

            await context.Invoke();
        }
    }
}
