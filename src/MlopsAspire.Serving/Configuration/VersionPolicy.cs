namespace MlopsAspire.Serving.Configuration;

/// <summary>Which versions of a model folder are served (Triton's <c>version_policy</c>).</summary>
public sealed class VersionPolicy
{
    private VersionPolicy(VersionPolicyKind kind, int latestCount, IReadOnlyList<long> specific)
    {
        Kind = kind;
        LatestCount = latestCount;
        SpecificVersions = specific;
    }

    public VersionPolicyKind Kind { get; }

    /// <summary>How many of the highest versions <see cref="VersionPolicyKind.Latest"/> serves.</summary>
    public int LatestCount { get; }

    /// <summary>The versions <see cref="VersionPolicyKind.Specific"/> serves.</summary>
    public IReadOnlyList<long> SpecificVersions { get; }

    public static VersionPolicy Latest(int count) =>
        count >= 1 ? new(VersionPolicyKind.Latest, count, []) : throw new ArgumentOutOfRangeException(nameof(count), count, "serve at least one version");

    public static VersionPolicy Specific(IEnumerable<long> versions) => new(VersionPolicyKind.Specific, 0, [.. versions.Distinct().Order()]);

    public static VersionPolicy All { get; } = new(VersionPolicyKind.All, 0, []);

    /// <summary>The versions to serve out of those present, in ascending order.</summary>
    public IReadOnlyList<long> Select(IEnumerable<long> available)
    {
        var ordered = available.Distinct().Order().ToList();
        return Kind switch
        {
            VersionPolicyKind.Latest => ordered.Skip(Math.Max(0, ordered.Count - LatestCount)).ToList(),
            VersionPolicyKind.Specific => ordered.Where(version => SpecificVersions.Contains(version)).ToList(),
            _ => ordered,
        };
    }

    public override string ToString() => Kind switch
    {
        VersionPolicyKind.Latest => $"latest {LatestCount}",
        VersionPolicyKind.Specific => $"specific [{string.Join(',', SpecificVersions)}]",
        _ => "all",
    };
}
