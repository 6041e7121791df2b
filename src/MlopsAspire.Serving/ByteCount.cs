using System.Globalization;

namespace MlopsAspire.Serving;

/// <summary>Byte counts as messages show them: exact below a kibibyte, else in KiB, MiB or GiB with two decimals at most.</summary>
public static class ByteCount
{
    public static string Format(long bytes)
    {
        var magnitude = Math.Abs(bytes);
        return magnitude switch
        {
            < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
            < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.##} KiB"),
            < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.##} MiB"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GiB"),
        };
    }
}
