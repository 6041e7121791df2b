namespace MlopsAspire.Monitoring.Windows;

/// <summary>
/// Remembers which (replica, sequence) pairs were accepted: per replica the highest sequence and a 64-wide
/// bitmap below it, so retries and late duplicates are refused while out-of-order deliveries within the last
/// 64 intervals are still accepted once.
/// </summary>
public sealed class SnapshotDeduplicator
{
    private const int WindowSize = 64;
    private readonly Dictionary<string, (long Highest, ulong Seen)> _replicas = new(StringComparer.Ordinal);

    /// <summary>True the first time a pair is offered; false for a duplicate or one too old to tell.</summary>
    public bool TryAccept(string replicaId, long sequence)
    {
        if (!_replicas.TryGetValue(replicaId, out var state))
        {
            _replicas[replicaId] = (sequence, 1UL);
            return true;
        }

        if (sequence > state.Highest)
        {
            var shift = sequence - state.Highest;
            var seen = shift >= WindowSize ? 0UL : state.Seen << (int)shift;
            _replicas[replicaId] = (sequence, seen | 1UL);
            return true;
        }

        var age = state.Highest - sequence;
        if (age >= WindowSize)
        {
            return false;
        }

        var bit = 1UL << (int)age;
        if ((state.Seen & bit) != 0)
        {
            return false;
        }

        _replicas[replicaId] = (state.Highest, state.Seen | bit);
        return true;
    }

    public IReadOnlyDictionary<string, long> HighestSequences => _replicas.ToDictionary(pair => pair.Key, pair => pair.Value.Highest);

    public void Restore(string replicaId, long highest, ulong seen) => _replicas[replicaId] = (highest, seen);

    public IEnumerable<(string ReplicaId, long Highest, ulong Seen)> Export() =>
        _replicas.Select(pair => (pair.Key, pair.Value.Highest, pair.Value.Seen));
}
