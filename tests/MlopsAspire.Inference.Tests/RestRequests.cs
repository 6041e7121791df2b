using System.Text.Json.Nodes;

namespace MlopsAspire.Inference.Tests;

/// <summary>Builds KServe v2 JSON inference requests the way a REST client would.</summary>
internal static class RestRequests
{
    /// <summary>A request of one input with its values in <c>data</c>.</summary>
    public static JsonObject Json(string input, string datatype, long[] shape, JsonArray data) => new()
    {
        ["inputs"] = new JsonArray(new JsonObject
        {
            ["name"] = input,
            ["shape"] = new JsonArray([.. shape.Select(dim => JsonValue.Create(dim))]),
            ["datatype"] = datatype,
            ["data"] = data,
        }),
    };
}
