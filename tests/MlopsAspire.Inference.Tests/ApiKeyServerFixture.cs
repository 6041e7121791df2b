namespace MlopsAspire.Inference.Tests;

/// <summary>
/// An FP32 identity model "echo" on a server that requires the API key <see cref="Key"/> and exposes Prometheus
/// metrics on <see cref="MetricsPort"/>, as a replica in a cluster does.
/// </summary>
public sealed class ApiKeyServerFixture : InferenceServerFixture
{
    public const string Key = "inference-key-0123456789abcdef";

    public int MetricsPort { get; private set; }

    protected override void PickPorts() => MetricsPort = FreePort();

    protected override IEnumerable<string> ExtraArguments => [$"--Inference:ApiKeys:checkout={Key}", $"--Metrics:PrometheusPort={MetricsPort}"];

    protected override void WriteModels() => WriteModel("echo", "1", IdentityModels.Create(elementType: 1, "x", "y", [-1, -1]));
}
