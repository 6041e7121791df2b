namespace MlopsAspire.Cli.Scenarios;

/// <summary>Ground truth sent as feedback: items (one per request) and how the server took them.</summary>
public sealed record DriftFeedbackTotals
{
    public long Batches { get; init; }

    public long ItemsSent { get; init; }

    public long Joined { get; init; }

    public long Unknown { get; init; }

    public long Rejected { get; init; }

    /// <summary>Failed feedback calls by gRPC status name; their items are not retried.</summary>
    public IReadOnlyDictionary<string, long> ErrorsByStatus { get; init; } = new Dictionary<string, long>();
}
