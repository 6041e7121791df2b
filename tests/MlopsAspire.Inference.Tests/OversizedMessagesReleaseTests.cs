using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.Inference.Protocol;

namespace MlopsAspire.Inference.Tests;

/// <summary>
/// Requests refused for their size were read up to the message limit first: a burst of them leaves as much garbage
/// as a flood of queued requests, and its memory is given back the same way, once the burst is over.
/// </summary>
public sealed class OversizedMessagesReleaseTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly OversizedMessages _oversized = new();

    [Fact]
    public void A_burst_of_oversized_requests_is_collected_after_a_quiet_check_and_at_most_once_per_interval()
    {
        // A replica without a batcher has no queues to watch, only oversized requests.
        var release = new QueueFloodMemoryRelease(_oversized, _time, NullLogger<QueueFloodMemoryRelease>.Instance, budget: null);
        Assert.False(release.CheckOnce());

        // Still arriving: each one in flight holds up to the limit, so collecting now would free little.
        _oversized.Record();
        _oversized.Record();
        Assert.False(release.CheckOnce());
        Assert.True(release.CheckOnce());
        Assert.Equal(1, release.Releases);
        Assert.Equal(2, _oversized.Total);

        // Another burst within the interval waits for it.
        _oversized.Record();
        Assert.False(release.CheckOnce());
        _time.Advance(QueueFloodMemoryRelease.MinimumInterval - TimeSpan.FromSeconds(1));
        Assert.False(release.CheckOnce());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(release.CheckOnce());
        Assert.Equal(2, release.Releases);
        Assert.False(release.CheckOnce());
    }
}
