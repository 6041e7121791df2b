using System.Globalization;

namespace MlopsAspire.Cli;

/// <summary>Durations as people type them: 250ms, 90s, 5m, 1h, a plain number of seconds, or hh:mm:ss.</summary>
internal static class DurationText
{
    public static TimeSpan Parse(string? text, string flag)
    {
        var trimmed = (text ?? "").Trim().ToLowerInvariant();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(trimmed[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
                && double.IsFinite(amount) && Math.Abs(amount * seconds) < TimeSpan.MaxValue.TotalSeconds / 2)
            {
                return TimeSpan.FromSeconds(amount * seconds);
            }
        }

        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var plainSeconds) && double.IsFinite(plainSeconds)
            && Math.Abs(plainSeconds) < TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return TimeSpan.FromSeconds(plainSeconds);
        }

        if (trimmed.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var clock))
        {
            return clock;
        }

        throw new CliException($"{flag} '{text}' is not a duration (e.g. 90s, 5m, 250ms or 00:01:30).");
    }
}
