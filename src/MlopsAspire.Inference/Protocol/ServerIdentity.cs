using System.Reflection;
using MlopsAspire.Inference.Models;

namespace MlopsAspire.Inference.Protocol;

/// <summary>What the server metadata call (gRPC and REST) reports: name, version and the extensions implemented.</summary>
public sealed class ServerIdentity(IModelRepositoryControl repositoryControl)
{
    public const string ServerName = "mlopsaspire";
    public const string ModelConfigurationExtension = "model_configuration";
    public const string StatisticsExtension = "statistics";
    public const string ModelRepositoryExtension = "model_repository";
    public const string BinaryTensorDataExtension = "binary_tensor_data";

    private static readonly string ServerVersion = ReadServerVersion();

    public string Name => ServerName;

    public string Version => ServerVersion;

    /// <summary>
    /// Model configuration, statistics and binary tensor data (REST) always; the model repository extension only
    /// where load and unload work (local folder mode), since in control-plane mode the routing table decides what
    /// is served.
    /// </summary>
    public IReadOnlyList<string> Extensions { get; } = repositoryControl.AcceptsLoadAndUnload
        ? [ModelConfigurationExtension, StatisticsExtension, BinaryTensorDataExtension, ModelRepositoryExtension]
        : [ModelConfigurationExtension, StatisticsExtension, BinaryTensorDataExtension];

    private static string ReadServerVersion()
    {
        var version = typeof(ServerIdentity).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        // Drop the source revision the SDK appends ("1.0.0+abc123"); clients compare the version itself.
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
