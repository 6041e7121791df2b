namespace MlopsAspire.Monitoring.Windows;

/// <summary>
/// Remembers which (sender, sequence) pairs were accepted: per sender the highest sequence and a 64-wide bitmap below
/// it, so retries and late duplicates are refused while out-of-order deliveries within the last 64 intervals are still
/// accepted once. A sender is one replica process's statistics of a version from one beginning, so senders come and
/// go for good (restarts, reloads, profile switches): one whose latest interval ended <see cref="SilenceForgotten"/>
/// before the newest interval any sender delivered is forgotten, which keeps this state (and the grain state it is
/// stored in) bounded. A replica resends a snapshot for minutes at most, so a forgotten sender sends nothing old again.
/// </summary>
public sealed class SnapshotDeduplicator
{
    private const int WindowSize = 64;

    /// <summary>How many accepted snapshots pass between two looks for silent senders.</summary>
    private const int AcceptsBetweenSweeps = 256;

    /// <summary>How long a sender may stay silent, on the senders' own interval clocks, before it is forgotten.</summary>
    public static readonly TimeSpan SilenceForgotten = TimeSpan.FromHours(1);

    private readonly Dictionary<string, Sender> _senders = new(StringComparer.Ordinal);
    private DateTimeOffset _newest = DateTimeOffset.MinValue;
    private int _acceptsSinceSweep;

    /// <summary>True the first time a pair is offered; false for a duplicate or one too old to tell.</summary>
    /// <param name="intervalEnd">The end of the snapshot's interval: how recently the sender was heard from.</param>
    public bool TryAccept(string replicaId, long sequence, DateTimeOffset intervalEnd)
    {
        if (!_senders.TryGetValue(replicaId, out var sender))
        {
            Accepted(replicaId, new Sender(sequence, 1UL, intervalEnd));
            return true;
        }

        var heard = intervalEnd > sender.LastInterval ? intervalEnd : sender.LastInterval;
        if (sequence > sender.Highest)
        {
            var shift = sequence - sender.Highest;
            var seen = shift >= WindowSize ? 0UL : sender.Seen << (int)shift;
            Accepted(replicaId, new Sender(sequence, seen | 1UL, heard));
            return true;
        }

        var age = sender.Highest - sequence;
        if (age >= WindowSize)
        {
            return false;
        }

        var bit = 1UL << (int)age;
        if ((sender.Seen & bit) != 0)
        {
            return false;
        }

        Accepted(replicaId, new Sender(sender.Highest, sender.Seen | bit, heard));
        return true;
    }

    public IReadOnlyDictionary<string, long> HighestSequences => _senders.ToDictionary(pair => pair.Key, pair => pair.Value.Highest);

    /// <summary>
    /// Puts back a sender kept in storage. One stored without its latest interval (before this was kept) counts as
    /// heard from at the first sweep after the restore, so it is forgotten only after a whole silence from then.
    /// </summary>
    public void Restore(string replicaId, long highest, ulong seen, DateTimeOffset lastInterval = default) =>
        _senders[replicaId] = new Sender(highest, seen, lastInterval);

    public IEnumerable<(string ReplicaId, long Highest, ulong Seen, DateTimeOffset LastInterval)> Export() =>
        _senders.Select(pair => (pair.Key, pair.Value.Highest, pair.Value.Seen, pair.Value.LastInterval));

    private void Accepted(string replicaId, Sender sender)
    {
        _senders[replicaId] = sender;
        if (sender.LastInterval > _newest)
        {
            _newest = sender.LastInterval;
        }

        if (++_acceptsSinceSweep >= AcceptsBetweenSweeps)
        {
            ForgetSilentSenders();
        }
    }

    /// <summary>Forgets the senders silent for <see cref="SilenceForgotten"/> before the newest interval delivered.</summary>
    public void ForgetSilentSenders()
    {
        _acceptsSinceSweep = 0;
        if (_newest == DateTimeOffset.MinValue)
        {
            return;
        }

        var horizon = _newest - SilenceForgotten;
        foreach (var (replicaId, sender) in _senders.ToList())
        {
            if (sender.LastInterval == default)
            {
                _senders[replicaId] = sender with { LastInterval = _newest };
            }
            else if (sender.LastInterval < horizon)
            {
                _senders.Remove(replicaId);
            }
        }
    }

    private readonly record struct Sender(long Highest, ulong Seen, DateTimeOffset LastInterval);
}
