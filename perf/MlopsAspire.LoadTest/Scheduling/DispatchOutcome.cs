
namespace MlopsAspire.LoadTest.Scheduling;

/// <param name="Scheduled">Sends the schedule asked for within the run.</param>
/// <param name="MaxLagMs">The largest delay between an intended and an actual send.</param>
/// <param name="SendingTime">From the start to the last send (the achieved rate's denominator).</param>
public sealed record DispatchOutcome(long Scheduled, long Sent, long Late, long Missed, double MaxLagMs, TimeSpan SendingTime);
