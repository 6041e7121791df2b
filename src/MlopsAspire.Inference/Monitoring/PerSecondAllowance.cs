namespace MlopsAspire.Inference.Monitoring;

/// <summary>
/// Allows up to a number of events per clock second and refuses the rest until the next second. Not thread-safe:
/// one caller at a time (a shadow lane's drain).
/// </summary>
public sealed class PerSecondAllowance(int perSecond, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _second = long.MinValue;
    private int _taken;

    public int PerSecond { get; } = perSecond >= 0 ? perSecond : throw new ArgumentOutOfRangeException(nameof(perSecond), perSecond, "must not be negative");

    /// <summary>True when this second still has room (and takes it).</summary>
    public bool TryTake()
    {
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        if (second != _second)
        {
            _second = second;
            _taken = 0;
        }

        if (_taken >= PerSecond)
        {
            return false;
        }

        _taken++;
        return true;
    }
}
