namespace MlopsAspire.ModelContracts;

/// <summary>One tabular input (<c>inputs.NAME</c>): its columns' names, and optionally their expected ranges or categories.</summary>
public sealed record InputContract(string Name)
{
    /// <summary>Column names, one per value of a row.</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>Expected [minimum, maximum] of named columns: values outside are counted as out of range.</summary>
    public IReadOnlyDictionary<string, ValueRange> Ranges { get; init; } = new Dictionary<string, ValueRange>();

    /// <summary>The values a categorical column may take: anything else is counted as out of range.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Categories { get; init; } = new Dictionary<string, IReadOnlyList<double>>();

    public bool Equals(InputContract? other) =>
        other is not null
        && Name == other.Name
        && Features.SequenceEqual(other.Features)
        && Ranges.Count == other.Ranges.Count && Ranges.All(pair => other.Ranges.TryGetValue(pair.Key, out var range) && range == pair.Value)
        && Categories.Count == other.Categories.Count
        && Categories.All(pair => other.Categories.TryGetValue(pair.Key, out var values) && values.SequenceEqual(pair.Value));

    public override int GetHashCode() => HashCode.Combine(Name, Features.Count, Ranges.Count, Categories.Count);
}
