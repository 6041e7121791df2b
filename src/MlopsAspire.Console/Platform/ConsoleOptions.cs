namespace MlopsAspire.Console.Platform;

/// <summary>Where the console finds the platform and how often its pages refresh (section <c>Console</c>).</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>The management and monitoring gRPC API (mlops.v1), the CLI's MLOPS_SERVER.</summary>
    public string ControlPlaneAddress { get; set; } = "http://localhost:8081";

    /// <summary>How often the models page and a model's live charts read the platform again.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(3);
}
