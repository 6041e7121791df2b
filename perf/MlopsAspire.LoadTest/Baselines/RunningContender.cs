using MlopsAspire.LoadTest.Scheduling;
using MlopsAspire.LoadTest.Workloads;

namespace MlopsAspire.LoadTest.Baselines;

/// <summary>A baseline contender started and ready to measure: its client, and the server it owns (none for the raw loop).</summary>
public sealed record RunningContender(
    string Name,
    string Target,
    string Call,
    WorkloadSettings Workload,
    IRequestSender Sender,
    IReadOnlyDictionary<string, string> Details,
    IAsyncDisposable? Server = null) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Sender.DisposeAsync().ConfigureAwait(false);
        if (Server is not null)
        {
            await Server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
