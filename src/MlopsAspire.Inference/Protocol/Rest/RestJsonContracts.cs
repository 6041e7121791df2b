using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlopsAspire.Inference.Protocol.Rest;

// KServe v2 / Triton REST bodies other than inference, which has its own reader and writer (RestInferenceJson).

public sealed record RestError(string Error);

public sealed record RestServerMetadata(string Name, string Version, IReadOnlyList<string> Extensions);

public sealed record RestTensorMetadata(string Name, string Datatype, IReadOnlyList<long> Shape);

public sealed record RestModelMetadata(
    string Name,
    IReadOnlyList<string> Versions,
    string Platform,
    IReadOnlyList<RestTensorMetadata> Inputs,
    IReadOnlyList<RestTensorMetadata> Outputs);

public sealed record RestConfigTensor(string Name, string DataType, IReadOnlyList<long> Dims);

public sealed record RestDynamicBatching(
    IReadOnlyList<int> PreferredBatchSize,
    long MaxQueueDelayMicroseconds,
    int PriorityLevels,
    int DefaultPriorityLevel);

public sealed record RestModelConfig(
    string Name,
    string Platform,
    string Backend,
    int MaxBatchSize,
    IReadOnlyList<RestConfigTensor> Input,
    IReadOnlyList<RestConfigTensor> Output,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RestDynamicBatching? DynamicBatching,
    IReadOnlyList<RestInstanceGroup> InstanceGroup,
    IReadOnlyDictionary<string, RestModelParameter> Parameters);

/// <summary>Triton's instance group as its JSON config writes it: kind "KIND_CPU" or "KIND_GPU".</summary>
public sealed record RestInstanceGroup(string Name, int Count, string Kind);

public sealed record RestModelParameter(string StringValue);

public sealed record RestModelReady(string Name, bool Ready);

public sealed record RestStatisticDuration(long Count, long Ns);

public sealed record RestInferStatistics(
    RestStatisticDuration Success,
    RestStatisticDuration Fail,
    RestStatisticDuration Queue,
    RestStatisticDuration ComputeInput,
    RestStatisticDuration ComputeInfer,
    RestStatisticDuration ComputeOutput);

public sealed record RestBatchStatistics(
    int BatchSize,
    RestStatisticDuration ComputeInput,
    RestStatisticDuration ComputeInfer,
    RestStatisticDuration ComputeOutput);

public sealed record RestModelStatistics(
    string Name,
    string Version,
    long LastInference,
    long InferenceCount,
    long ExecutionCount,
    RestInferStatistics InferenceStats,
    IReadOnlyList<RestBatchStatistics> BatchStats);

public sealed record RestModelStatisticsResponse(IReadOnlyList<RestModelStatistics> ModelStats);

public sealed record RestRepositoryIndexRequest(bool Ready = false);

public sealed record RestRepositoryIndexEntry(string Name, string Version, string State, string Reason);

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
