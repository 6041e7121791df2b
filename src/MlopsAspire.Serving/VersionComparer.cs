
namespace MlopsAspire.Serving;

/// <summary>Orders versions numerically when both are numbers ("2" before "10"), ordinally otherwise.</summary>
public sealed class VersionComparer : IComparer<string>
{
    public static VersionComparer Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        if (long.TryParse(x, out var left) && long.TryParse(y, out var right))
        {
            var byNumber = left.CompareTo(right);
            return byNumber != 0 ? byNumber : string.CompareOrdinal(x, y);
        }

        // Numbers sort before names.
        var xIsNumber = long.TryParse(x, out _);
        var yIsNumber = long.TryParse(y, out _);
        return xIsNumber == yIsNumber ? string.CompareOrdinal(x, y) : xIsNumber ? -1 : 1;
    }
}
