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
