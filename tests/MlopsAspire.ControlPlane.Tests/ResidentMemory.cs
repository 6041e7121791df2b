using System.Globalization;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>This process's resident memory from <c>/proc/self/status</c>, with its peak reset on demand (Linux).</summary>
internal static class ResidentMemory
{
    public static long Current() => Read("VmRSS:");

    /// <summary>The highest resident memory since the last <see cref="ResetPeak"/>.</summary>
    public static long Peak() => Read("VmHWM:");

    /// <summary>Writing 5 to clear_refs sets the peak to the current resident size.</summary>
    public static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long Read(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(line => line.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
