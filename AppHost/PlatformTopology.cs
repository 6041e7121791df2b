using Microsoft.Extensions.Configuration;

namespace MlopsAspire.AppHost;

/// <summary>
/// How many processes of each tier the AppHost starts: <c>ControlPlane:Silos</c> (1), <c>Inference:Replicas</c> (2),
/// <c>Training:Workers</c> (1, or none with <c>Training:Enabled=false</c>). Silos are resources of their own, since
/// each is addressed by itself (its own management API and Orleans dashboard); replicas and workers are replicas of one
/// resource behind the orchestrator's proxy, since any of them serves a caller alike.
/// </summary>
internal sealed record PlatformTopology(int Silos, int InferenceReplicas, int TrainingWorkers)
{
    /// <summary>The name of the first silo's resource; silo n (from 2) is <c>control-plane-n</c>.</summary>
    public const string FirstSiloName = "control-plane";

    /// <summary>How far apart the fixed ports of consecutive silos are: silo n listens on the first silo's ports + 100·(n−1).</summary>
    public const int SiloPortStep = 100;

    /// <summary>The settings, each checked: a count out of range names the key and the range rather than half-starting.</summary>
    /// <remarks>The upper bounds are what one machine can hold; a larger cluster is deploy/kubernetes's.</remarks>
    public static PlatformTopology From(IConfiguration configuration) => new(
        Count(configuration, "ControlPlane:Silos", defaultCount: 1, min: 1, max: 16),
        Count(configuration, "Inference:Replicas", defaultCount: 2, min: 1, max: 64),
        configuration.GetValue("Training:Enabled", true) ? Count(configuration, "Training:Workers", defaultCount: 1, min: 0, max: 16) : 0);

    /// <summary>The resource name of silo <paramref name="silo"/> (1-based).</summary>
    public static string SiloName(int silo) => silo == 1 ? FirstSiloName : $"{FirstSiloName}-{silo}";

    /// <summary>
    /// Silo <paramref name="silo"/>'s fixed port for an endpoint whose first silo listens on <paramref name="firstSiloPort"/>;
    /// none (the orchestrator chooses) where the first silo's port is chosen too.
    /// </summary>
    public static int? SiloPort(int? firstSiloPort, int silo) =>
        firstSiloPort is { } port ? port + (SiloPortStep * (silo - 1)) : null;

    private static int Count(IConfiguration configuration, string key, int defaultCount, int min, int max)
    {
        var text = configuration[key];
        if (text is null)
        {
            return defaultCount;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count >= min && count <= max
            ? count
            : throw new InvalidOperationException($"{key} is '{text}': give a whole number from {min} to {max}.");
    }
}
