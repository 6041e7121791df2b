using System.Globalization;
using System.Text.Json;
using MlopsAspire.ModelContracts;

namespace MlopsAspire.Serving.Configuration;

/// <summary>
/// Reads a model's <c>config.json</c>:
/// <code>
/// {
///   "max_batch_size": 64,
///   "dynamic_batching": { "max_queue_delay_microseconds": 0, "preferred_batch_size": [16, 32], "max_queue_size": 4096,
///                         "max_queue_bytes": 268435456, "default_timeout_microseconds": 0, "priority_levels": 2,
///                         "default_priority_level": 2, "latency_objective_ms": 20 },
///   "instance_group": { "count": 2 },
///   "optimization": { "intra_op_threads": 1, "inter_op_threads": 1, "graph_optimization_level": "all", "enable_cpu_mem_arena": true },
///   "execution_provider": "cpu", "device_id": 0,
///   "warmup": { "batch_sizes": [1, 64], "runs": 2 },
///   "version_policy": { "latest": 1 }      // or { "specific": [1, 3] } or { "all": true }
/// }
/// </code>
/// Every field is optional; unknown fields are errors (a misspelt field would otherwise be silently ignored).
/// </summary>
public static class ModelConfigurationParser
{
    public const string FileName = "config.json";

    /// <summary>The document's serving keys; the rest are the model contract's (<see cref="ModelContractReader.RootKeys"/>).</summary>
    public static IReadOnlyList<string> ServingKeys { get; } =
        ["max_batch_size", "dynamic_batching", "instance_group", "optimization", "execution_provider", "device_id", "warmup", "version_policy"];

    private const int MaxInstances = 64;
    private const int MaxThreads = 1024;
    private const int MaxBatch = 1 << 20;
    private const long MaxMicroseconds = 3_600_000_000;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>The configuration in <paramref name="modelFolder"/>'s <c>config.json</c>, or null when it has none.</summary>
    public static ModelConfiguration? LoadFromFolder(string modelFolder)
    {
        var path = Path.Combine(modelFolder, FileName);
        return File.Exists(path) ? LoadFile(path) : null;
    }

    public static ModelConfiguration LoadFile(string path) => Parse(File.ReadAllText(path), path);

    /// <param name="source">Named in error messages, typically the file's path.</param>
    public static ModelConfiguration Parse(string json, string source = FileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException exception)
        {
            throw new ModelConfigurationException($"{source}: not valid JSON: {exception.Message}", exception);
        }

        using (document)
        {
            return new Reader(source).ReadRoot(document.RootElement);
        }
    }

    private sealed class Reader(string source)
    {
        public ModelConfiguration ReadRoot(JsonElement root)
        {
            var configuration = new ModelConfiguration { Source = source };
            ForEachField(root, "", [.. ServingKeys, .. ModelContractReader.RootKeys], (name, value) =>
            {
                configuration = name switch
                {
                    // The model contract's keys are read together below, by the contract's own reader.
                    _ when ModelContractReader.RootKeys.Contains(name) => configuration,
                    "max_batch_size" => configuration with { MaxBatchSize = Int(value, name, 0, MaxBatch) },
                    "dynamic_batching" => configuration with { DynamicBatching = ReadDynamicBatching(value) },
                    "instance_group" => configuration with { InstanceCount = ReadInstanceGroup(value) },
                    "optimization" => configuration with { Optimization = ReadOptimization(value) },
                    "execution_provider" => configuration with
                    {
                        ExecutionProvider = Choice(value, name, ["cpu", "cuda"]) == "cuda" ? ExecutionProvider.Cuda : ExecutionProvider.Cpu,
                    },
                    "device_id" => configuration with { DeviceId = Int(value, name, 0, 1024) },
                    "warmup" => configuration with { Warmup = ReadWarmup(value) },
                    _ => configuration with { VersionPolicy = ReadVersionPolicy(value) },
                };
            });

            try
            {
                configuration = configuration with { Contract = ModelContractReader.Read(root, new JsonFieldReader(source)) };
            }
            catch (ModelContractException exception)
            {
                throw new ModelConfigurationException(exception.Message, exception);
            }

            var batching = configuration.DynamicBatching;
            if (configuration.MaxBatchSize is { } max)
            {
                foreach (var preferred in batching.PreferredBatchSizes)
                {
                    if (max == 0 || preferred > max)
                    {
                        throw Fail("dynamic_batching.preferred_batch_size", $"must hold sizes from 1 to max_batch_size ({max})", preferred.ToString(CultureInfo.InvariantCulture));
                    }
                }

                foreach (var size in configuration.Warmup?.BatchSizes ?? [])
                {
                    if (size > Math.Max(1, max))
                    {
                        throw Fail("warmup.batch_sizes", $"must hold sizes from 1 to max_batch_size ({Math.Max(1, max)})", size.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }

            if (batching.DefaultPriorityLevel > Math.Max(1, batching.PriorityLevels))
            {
                throw Fail(
                    "dynamic_batching.default_priority_level",
                    $"must be from 1 to priority_levels ({Math.Max(1, batching.PriorityLevels)}), or 0 for the lowest level",
                    batching.DefaultPriorityLevel.ToString(CultureInfo.InvariantCulture));
            }

            return configuration;
        }

        private DynamicBatchingConfiguration ReadDynamicBatching(JsonElement element)
        {
            var batching = new DynamicBatchingConfiguration();
            ForEachField(
                element,
                "dynamic_batching.",
                ["max_queue_delay_microseconds", "preferred_batch_size", "max_queue_size", "max_queue_bytes", "default_timeout_microseconds", "priority_levels", "default_priority_level", "latency_objective_ms"],
                (name, value) =>
                {
                    var field = "dynamic_batching." + name;
                    batching = name switch
                    {
                        "max_queue_delay_microseconds" => batching with { MaxQueueDelayMicroseconds = Long(value, field, 0, MaxMicroseconds) },
                        "preferred_batch_size" => batching with { PreferredBatchSizes = IntArray(value, field, 1, MaxBatch) },
                        "max_queue_size" => batching with { MaxQueueSize = Int(value, field, 1, int.MaxValue) },
                        "max_queue_bytes" => batching with { MaxQueueBytes = Long(value, field, 1, long.MaxValue) },
                        "default_timeout_microseconds" => batching with { DefaultTimeoutMicroseconds = Long(value, field, 0, MaxMicroseconds) },
                        "priority_levels" => batching with { PriorityLevels = Int(value, field, 0, 64) },
                        "default_priority_level" => batching with { DefaultPriorityLevel = Int(value, field, 0, 64) },
                        _ => batching with { LatencyObjectiveMs = PositiveDouble(value, field) },
                    };
                });
            return batching;
        }

        private int ReadInstanceGroup(JsonElement element)
        {
            var count = 1;
            ForEachField(element, "instance_group.", ["count"], (_, value) => count = Int(value, "instance_group.count", 1, MaxInstances));
            return count;
        }

        private OptimizationConfiguration ReadOptimization(JsonElement element)
        {
            var optimization = new OptimizationConfiguration();
            ForEachField(
                element,
                "optimization.",
                ["intra_op_threads", "inter_op_threads", "graph_optimization_level", "enable_cpu_mem_arena"],
                (name, value) =>
                {
                    var field = "optimization." + name;
                    optimization = name switch
                    {
                        "intra_op_threads" => optimization with { IntraOpThreads = Int(value, field, 0, MaxThreads) },
                        "inter_op_threads" => optimization with { InterOpThreads = Int(value, field, 0, MaxThreads) },
                        "graph_optimization_level" => optimization with
                        {
                            GraphOptimizationLevel = Choice(value, field, ["disable", "basic", "extended", "all"]) switch
                            {
                                "disable" => GraphOptimization.Disable,
                                "basic" => GraphOptimization.Basic,
                                "extended" => GraphOptimization.Extended,
                                _ => GraphOptimization.All,
                            },
                        },
                        _ => optimization with { EnableCpuMemArena = Bool(value, field) },
                    };
                });
            return optimization;
        }

        private WarmupConfiguration ReadWarmup(JsonElement element)
        {
            var warmup = new WarmupConfiguration();
            ForEachField(element, "warmup.", ["batch_sizes", "runs"], (name, value) =>
            {
                warmup = name == "runs"
                    ? warmup with { Runs = Int(value, "warmup.runs", 0, 1000) }
                    : warmup with { BatchSizes = IntArray(value, "warmup.batch_sizes", 1, MaxBatch) };
            });
            return warmup;
        }

        private VersionPolicy ReadVersionPolicy(JsonElement element)
        {
            VersionPolicy? policy = null;
            ForEachField(element, "version_policy.", ["latest", "specific", "all"], (name, value) =>
            {
                if (policy is not null)
                {
                    throw Fail("version_policy", "must hold exactly one of latest, specific or all", "more than one");
                }

                policy = name switch
                {
                    "latest" => VersionPolicy.Latest(Int(value, "version_policy.latest", 1, 1_000_000)),
                    "specific" => SpecificVersions(value),
                    _ => Bool(value, "version_policy.all")
                        ? VersionPolicy.All
                        : throw Fail("version_policy.all", "must be true (use latest or specific to serve fewer versions)", "false"),
                };
            });
            return policy ?? throw Fail("version_policy", "must hold exactly one of latest, specific or all", "an empty object");
        }

        private VersionPolicy SpecificVersions(JsonElement value)
        {
            const string field = "version_policy.specific";
            if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
            {
                throw Fail(field, "must be a non-empty array of version numbers", Describe(value));
            }

            return VersionPolicy.Specific(value.EnumerateArray().Select(item => Long(item, field, 0, long.MaxValue)).ToList());
        }

        private void ForEachField(JsonElement element, string prefix, string[] allowed, Action<string, JsonElement> read)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Fail(prefix.Length == 0 ? "(root)" : prefix.TrimEnd('.'), "must be an object", Describe(element));
            }

            foreach (var property in element.EnumerateObject())
            {
                if (Array.IndexOf(allowed, property.Name) < 0)
                {
                    throw new ModelConfigurationException(
                        $"{source}: unknown field '{prefix}{property.Name}'; allowed fields{(prefix.Length == 0 ? "" : $" of '{prefix.TrimEnd('.')}'")} are {string.Join(", ", allowed)}");
                }

                read(property.Name, property.Value);
            }
        }

        private int Int(JsonElement value, string field, int min, int max) => (int)Long(value, field, min, max);

        private long Long(JsonElement value, string field, long min, long max)
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || number < min || number > max)
            {
                throw Fail(field, max == long.MaxValue || max == int.MaxValue ? $"must be an integer of at least {min}" : $"must be an integer from {min} to {max}", Describe(value));
            }

            return number;
        }

        private double PositiveDouble(JsonElement value, string field)
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !(number > 0) || double.IsInfinity(number))
            {
                throw Fail(field, "must be a positive number", Describe(value));
            }

            return number;
        }

        private bool Bool(JsonElement value, string field) => value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Fail(field, "must be true or false", Describe(value)),
        };

        private string Choice(JsonElement value, string field, string[] allowed)
        {
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.ToLowerInvariant() : null;
            return text is not null && Array.IndexOf(allowed, text) >= 0
                ? text
                : throw Fail(field, $"must be one of {string.Join(", ", allowed)}", Describe(value));
        }

        private int[] IntArray(JsonElement value, string field, int min, int max)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw Fail(field, $"must be an array of integers from {min} to {max}", Describe(value));
            }

            return [.. value.EnumerateArray().Select(item => Int(item, field, min, max)).Distinct().Order()];
        }

        private ModelConfigurationException Fail(string field, string allowed, string got) =>
            new($"{source}: '{field}' {allowed}; got {got}");

        // One description of a found value for the whole config document, serving and contract keys alike.
        private static string Describe(JsonElement value) => JsonFieldReader.Describe(value);
    }
}
