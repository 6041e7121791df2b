using Grpc.Net.Client;
using Inference;

namespace MlopsAspire.EndToEnd.Tests;

/// <summary>
/// A platform of several silos and several inference replicas (<see cref="FaultDrillScale"/>), without a training
/// worker: the fault drills' cluster, started once and shared with the tests that only call inference (every drill
/// leaves it whole again).
/// </summary>
public sealed class ClusterPlatformFixture : PlatformFixture
{
    private readonly List<GrpcChannel> _channels = [];

    public FaultDrillScale Scale { get; } = FaultDrillScale.FromEnvironment();

    /// <summary>Two inference clients per replica: each client's connection goes to one replica behind the proxy.</summary>
    public IReadOnlyList<GRPCInferenceService.GRPCInferenceServiceClient> SpreadInference { get; private set; } = [];

    protected override IReadOnlyList<string> ExtraArguments =>
    [
        $"--ControlPlane:Silos={Scale.Silos}",
        $"--Inference:Replicas={Scale.Replicas}",
        "--Training:Enabled=false",
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        for (var silo = 2; silo <= Scale.Silos; silo++)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync($"control-plane-{silo}", timeout.Token).WaitAsync(timeout.Token);
        }

        _channels.AddRange(Enumerable.Range(0, 2 * Scale.Replicas).Select(_ => CreateInferenceChannel(App)));
        SpreadInference = [.. _channels.Select(channel => new GRPCInferenceService.GRPCInferenceServiceClient(channel))];
    }

    public override async Task DisposeAsync()
    {
        _channels.ForEach(channel => channel.Dispose());
        await base.DisposeAsync();
    }
}

/// <summary>The test classes that share one cluster, one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterPlatformCollection : ICollectionFixture<ClusterPlatformFixture>
{
    public const string Name = "cluster platform";
}
