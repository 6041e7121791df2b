namespace MlopsAspire.Training.Tests;

/// <summary>The demo fraud model, trained once per test class that needs it.</summary>
public sealed class FraudModelFixture
{
    public FraudDemoModel Model { get; } = DemoModels.TrainFraud();
}
