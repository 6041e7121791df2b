using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsAspire.LoadTest.Reports;

/// <summary>The machine-readable report: every number of every run, for dashboards and regression checks.</summary>
public static class JsonReportWriter
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A ratio against a zero reference is NaN, not a crash.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Write(LoadTestReport report) => JsonSerializer.Serialize(report, Options);

    public static LoadTestReport Read(string json) =>
        JsonSerializer.Deserialize<LoadTestReport>(json, Options) ?? throw new JsonException("the report is empty");
}
