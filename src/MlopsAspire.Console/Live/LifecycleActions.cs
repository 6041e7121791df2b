using Mlops.V1;

namespace MlopsAspire.Console.Live;

/// <summary>
/// Which version actions the console offers in a version's state. Only an offer: the control plane decides (an
/// impossible move is refused with a reason), and the caller's role decides whether the offer is enabled.
/// </summary>
public static class LifecycleActions
{
    private static readonly LifecycleAction[] Candidate = [LifecycleAction.Shadow, LifecycleAction.Canary, LifecycleAction.Promote, LifecycleAction.Retire];

    public static IReadOnlyList<LifecycleAction> For(ModelVersionState state) => state switch
    {
        ModelVersionState.Ready or ModelVersionState.Shadow or ModelVersionState.Canary => Candidate,
        ModelVersionState.Failed => [LifecycleAction.Retire],
        _ => [],
    };

    /// <summary>The question the confirmation asks.</summary>
    public static string Question(LifecycleAction action, string model, string version) => action switch
    {
        LifecycleAction.Shadow => $"Put version {version} of {model} in shadow (a sample of production traffic is copied to it)?",
        LifecycleAction.Canary => $"Make version {version} of {model} the canary (it answers a share of unpinned requests)?",
        LifecycleAction.Promote => $"Promote version {version} of {model} to production?",
        LifecycleAction.Retire => $"Retire version {version} of {model} (it stops serving; its artifact is deleted once unused)?",
        LifecycleAction.Rollback => $"Roll {model} back to the previous production version?",
        LifecycleAction.Retrain => $"Queue a retraining run of {model}'s production version?",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Not a lifecycle action."),
    };
}
