using MlopsAspire.Console.Live;

namespace MlopsAspire.Console.Components.Models;

/// <summary>An action a person has chosen and not yet confirmed; Version is empty for model actions (rollback, retrain).</summary>
public sealed record PendingAction(LifecycleAction Action, string Version);
