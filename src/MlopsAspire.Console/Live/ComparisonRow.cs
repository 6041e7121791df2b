namespace MlopsAspire.Console.Live;

/// <summary>One line of two versions side by side: what is compared, and each version's value as text.</summary>
public sealed record ComparisonRow(string Section, string Label, string Left, string Right)
{
    public bool Differs => !string.Equals(Left, Right, StringComparison.Ordinal);
}
