namespace MlopsAspire.Cli.Scenarios;

/// <summary>One invalid option of a <see cref="DriftScenarioOptions"/>: the property's name and what is wrong with it.</summary>
public sealed record DriftOptionProblem(string Option, string Problem)
{
    public override string ToString() => $"{Option} {Problem}";
}
