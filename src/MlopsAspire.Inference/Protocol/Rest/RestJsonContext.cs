using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsAspire.Inference.Protocol.Rest;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RestError))]
[JsonSerializable(typeof(RestServerMetadata))]
[JsonSerializable(typeof(RestModelMetadata))]
[JsonSerializable(typeof(RestModelConfig))]
[JsonSerializable(typeof(RestModelReady))]
[JsonSerializable(typeof(RestModelStatisticsResponse))]
[JsonSerializable(typeof(RestRepositoryIndexRequest))]
[JsonSerializable(typeof(IReadOnlyList<RestRepositoryIndexEntry>))]
internal sealed partial class RestJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Writes text as it is, in UTF-8: the bodies are JSON read by API clients and people at a terminal, never
    /// embedded in HTML, so the default encoder's escapes (<c>\u0027</c> for every quote of a name in an error,
    /// <c>\u00E9</c> for an accent in a BYTES output) only make them harder to read. JSON's own escapes (quotation
    /// mark, backslash, control characters) stay.
    /// </summary>
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>The context every REST body is written with: <see cref="Encoder"/>, snake_case names.</summary>
    public static RestJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = Encoder,
    });
}
