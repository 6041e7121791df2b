using System.Text.Json.Serialization;

namespace MlopsAspire.Artifacts;

[JsonSerializable(typeof(ArtifactManifest))]
internal sealed partial class ArtifactManifestJsonContext : JsonSerializerContext;
