namespace MlopsAspire.ModelContracts;

/// <summary>The <c>outputs</c> section: which output is the score, which the predicted label, and the class names.</summary>
public sealed record OutputRoles
{
    public static OutputRoles None { get; } = new();

    /// <summary><c>outputs.score</c>: the probability of the positive class, the class scores, or the regression value.</summary>
    public ScoreOutput? Score { get; init; }

    /// <summary><c>outputs.label</c>: the output holding the predicted label (a class index or name) per row.</summary>
    public string? Label { get; init; }

    /// <summary><c>outputs.classes</c>: class names, in the order of class indices (and of score columns).</summary>
    public IReadOnlyList<string> Classes { get; init; } = [];

    public bool Equals(OutputRoles? other) =>
        other is not null && Score == other.Score && Label == other.Label && Classes.SequenceEqual(other.Classes);

    public override int GetHashCode() => HashCode.Combine(Score, Label, Classes.Count);
}
