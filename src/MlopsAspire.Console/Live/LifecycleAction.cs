namespace MlopsAspire.Console.Live;

/// <summary>What an operator can do to a model or one of its versions from the console.</summary>
public enum LifecycleAction
{
    Shadow,
    Canary,
    Promote,
    Retire,
    Rollback,
    Retrain,
}
