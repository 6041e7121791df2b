using MlopsAspire.Serving.Configuration;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// A version the replica should serve; <paramref name="ContentKey"/> changes when its bytes do. A version from the
/// control plane carries its own serving configuration (<paramref name="ServingConfigJson"/>, the schema of
/// <see cref="ModelConfigurationParser"/>); a local folder's versions share their model's <c>config.json</c>.
/// </summary>
public sealed record DesiredVersion(string Model, string Version, string ContentKey, string? ServingConfigJson = null);
