namespace MlopsAspire.Abstractions;

/// <summary>
/// The lifecycle's rules, in one table: which state may follow which. Every operation on a version asks this table
/// whether it applies, and refusals are worded from it, so a rule changes here and nowhere else.
/// </summary>
public static class ModelVersionStates
{
    private static readonly Dictionary<ModelVersionState, ModelVersionState[]> AllowedNext = new()
    {
        [ModelVersionState.Registered] = [ModelVersionState.Validating, ModelVersionState.Ready, ModelVersionState.Failed, ModelVersionState.Retired],
        [ModelVersionState.Validating] = [ModelVersionState.Ready, ModelVersionState.Failed, ModelVersionState.Retired],
        [ModelVersionState.Ready] = [ModelVersionState.Shadow, ModelVersionState.Canary, ModelVersionState.Production, ModelVersionState.Retired],
        [ModelVersionState.Failed] = [ModelVersionState.Retired],
        // A shadow may become a shadow again with another sample rate, a canary the canary again with another weight.
        [ModelVersionState.Shadow] = [ModelVersionState.Ready, ModelVersionState.Shadow, ModelVersionState.Canary, ModelVersionState.Production, ModelVersionState.Retired],
        [ModelVersionState.Canary] = [ModelVersionState.Ready, ModelVersionState.Shadow, ModelVersionState.Canary, ModelVersionState.Production, ModelVersionState.Retired],
        // Production only leaves through a promotion of another version or a rollback, back to Ready.
        [ModelVersionState.Production] = [ModelVersionState.Ready],
        [ModelVersionState.Retired] = [],
    };

    /// <summary>Why the table forbids a move callers commonly ask for, where the list of allowed states alone would not say it.</summary>
    private static readonly Dictionary<(ModelVersionState From, ModelVersionState To), string> Reasons = new()
    {
        [(ModelVersionState.Production, ModelVersionState.Shadow)] = "the production version cannot shadow itself",
        [(ModelVersionState.Production, ModelVersionState.Canary)] = "the production version cannot be its own canary",
        [(ModelVersionState.Production, ModelVersionState.Retired)] = "the production version cannot be retired; promote another version or roll back first",
    };

    /// <summary>What a move into each state is called in a refusal ("only Ready, Shadow or Canary versions can be promoted").</summary>
    private static readonly Dictionary<ModelVersionState, string> Moves = new()
    {
        [ModelVersionState.Validating] = "start validation",
        [ModelVersionState.Shadow] = "shadow production",
        [ModelVersionState.Canary] = "be made the canary",
        [ModelVersionState.Production] = "be promoted",
        [ModelVersionState.Retired] = "be retired",
    };

    /// <summary>States whose versions inference replicas load.</summary>
    public static bool IsRouted(ModelVersionState state) =>
        state is ModelVersionState.Production or ModelVersionState.Canary or ModelVersionState.Shadow;

    /// <summary>States from which a version may be promoted to production (or a rollback may return to).</summary>
    public static bool CanPromote(ModelVersionState state) => CanMove(state, ModelVersionState.Production);

    public static bool CanMove(ModelVersionState from, ModelVersionState to) => AllowedNext[from].Contains(to);

    /// <summary>The states a version in <paramref name="from"/> may move to, for error messages.</summary>
    public static IReadOnlyList<ModelVersionState> NextStates(ModelVersionState from) => AllowedNext[from];

    /// <summary>The states from which a version may move to <paramref name="to"/>, in lifecycle order.</summary>
    public static IReadOnlyList<ModelVersionState> PreviousStates(ModelVersionState to) =>
        [.. Enum.GetValues<ModelVersionState>().Where(from => CanMove(from, to))];

    /// <summary>
    /// Null when a version in <paramref name="from"/> may be put in <paramref name="to"/>; otherwise the rule that
    /// refuses it, worded for the caller.
    /// </summary>
    public static string? Refusal(ModelVersionState from, ModelVersionState to) =>
        CanMove(from, to) ? null
        : Reasons.TryGetValue((from, to), out var reason) ? reason
        : PreviousStates(to) is { Count: > 0 } previous ? $"only {Describe(previous)} versions can {Moves.GetValueOrDefault(to, $"become {to}")}"
        : $"no version can become {to}";

    /// <summary>
    /// Null when a version in <paramref name="from"/> may record the outcome of its validation, that is when it can
    /// still both pass (Ready) and fail (Failed); otherwise the rule that refuses it.
    /// </summary>
    public static string? ValidationRefusal(ModelVersionState from) =>
        IsAwaitingValidation(from) ? null
        : $"only {Describe([.. Enum.GetValues<ModelVersionState>().Where(IsAwaitingValidation)])} versions can be validated";

    private static bool IsAwaitingValidation(ModelVersionState state) =>
        CanMove(state, ModelVersionState.Ready) && CanMove(state, ModelVersionState.Failed);

    private static string Describe(IReadOnlyList<ModelVersionState> states) => states.Count switch
    {
        1 => $"{states[0]}",
        _ => $"{string.Join(", ", states.Take(states.Count - 1))} or {states[^1]}",
    };
}
