using Grpc.Core;
using Inference;
using MlopsAspire.LoadTest.Cli;
using MlopsAspire.LoadTest.Targets;
using MlopsAspire.LoadTest.Workloads;
using MlopsAspire.Training;

namespace MlopsAspire.LoadTest.Scenarios;

/// <summary>
/// What a scenario's requests go to: a running platform, or replicas started in this process over a temporary
/// model folder. Scenarios with the same replica settings share one target, so that they are compared on the
/// same server.
/// </summary>
public sealed class ScenarioTarget : IAsyncDisposable
{
    private readonly List<InProcessReplica> _replicas;
    private readonly string? _modelRoot;

    private ScenarioTarget(IReadOnlyList<Uri> addresses, string description, IReadOnlyDictionary<string, string> details, List<InProcessReplica> replicas, string? modelRoot)
    {
        Addresses = addresses;
        Description = description;
        Details = details;
        _replicas = replicas;
        _modelRoot = modelRoot;
    }

    public IReadOnlyList<Uri> Addresses { get; }

    public string Description { get; }

    public IReadOnlyDictionary<string, string> Details { get; }

    /// <summary>Groups scenarios that can share a target: same replica settings and replica count.</summary>
    public static string SharingKey(Scenario scenario) =>
        $"{scenario.Replica.Batching}|{scenario.Replica.IntraOpThreads}|{scenario.InProcessReplicas}";

    /// <summary>Checks that every address answers <c>ServerReady</c>; requests will be spread over them round-robin.</summary>
    public static async Task<ScenarioTarget> ConnectAsync(IReadOnlyList<Uri> addresses, CancellationToken cancellationToken)
    {
        foreach (var address in addresses)
        {
            using var channel = GrpcChannels.Create(address);
            var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            try
            {
                var ready = await client.ServerReadyAsync(new ServerReadyRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancellationToken);
                if (!ready.Ready)
                {
                    throw new InvalidOperationException($"the server at {address.Authority} answers but is not ready (models still loading?)");
                }
            }
            catch (RpcException exception)
            {
                throw new InvalidOperationException(
                    $"no inference server answered at {address.Authority} ({exception.Status.StatusCode}: {exception.Status.Detail}); start the platform with 'dotnet run --project AppHost' or use --in-process",
                    exception);
            }
        }

        var description = string.Join(", ", addresses.Select(address => address.Authority));
        return new ScenarioTarget(addresses, description, new Dictionary<string, string> { ["target"] = string.Join(" ", addresses) }, [], null);
    }

    public static async Task<ScenarioTarget> StartInProcessAsync(
        IEnumerable<string> models,
        ReplicaSettings replica,
        int replicaCount,
        CancellationToken cancellationToken)
    {
        // A model folder of the user's own is served as it is; otherwise the demo models go to a temporary one.
        var userFolder = UserModelFolder(replica.ExtraConfiguration);
        var modelRoot = userFolder ?? DemoModelFiles.WriteRepository(models, replica.Instances);
        var replicas = new List<InProcessReplica>();
        try
        {
            for (var i = 0; i < replicaCount; i++)
            {
                replicas.Add(await InProcessReplica.StartAsync(modelRoot, replica, cancellationToken).ConfigureAwait(false));
            }
        }
        catch
        {
            foreach (var started in replicas)
            {
                await started.DisposeAsync().ConfigureAwait(false);
            }

            if (userFolder is null)
            {
                DemoModelFiles.DeleteRepository(modelRoot);
            }

            throw;
        }

        var details = new Dictionary<string, string>
        {
            ["replicas"] = replicaCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["executor"] = replicas[0].Executor,
            ["provider"] = string.Join(",", replicas[0].ExecutionProviders).ToLowerInvariant(),
            ["instances"] = (replica.Instances ?? 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["configuration"] = string.Join(" ", replicas[0].Configuration.Where(setting => !setting.StartsWith(ModelRepositorySetting, StringComparison.Ordinal))),
        };
        if (userFolder is not null)
        {
            details["model repository"] = Path.GetFullPath(userFolder);
        }

        var description = replicaCount == 1 ? "in-process replica" : $"{replicaCount} in-process replicas";
        if (replica.Batching is { } batching)
        {
            description += batching ? " (batching on)" : " (batching off)";
        }

        return new ScenarioTarget([.. replicas.Select(r => r.Address)], description, details, replicas, userFolder is null ? modelRoot : null);
    }

    /// <summary>The setting that points a replica at its model folder, as <c>--set</c> gives it.</summary>
    public const string ModelRepositorySetting = "Inference:ModelRepository=";

    /// <summary>The folder <c>--set Inference:ModelRepository=DIR</c> names (the last one given), or null.</summary>
    public static string? UserModelFolder(IEnumerable<string> configuration) =>
        configuration.LastOrDefault(setting => setting.StartsWith(ModelRepositorySetting, StringComparison.OrdinalIgnoreCase))?[ModelRepositorySetting.Length..];

    public static Task<ScenarioTarget> ForScenarioAsync(Scenario scenario, IEnumerable<string> models, LoadTestOptions options, CancellationToken cancellationToken) =>
        options.Targets.Count > 0
            ? ConnectAsync(options.Targets, cancellationToken)
            : StartInProcessAsync(
                models,
                scenario.Replica with { IntraOpThreads = options.IntraOpThreads, ExtraConfiguration = options.ReplicaConfiguration },
                scenario.InProcessReplicas,
                cancellationToken);

    /// <summary>
    /// A sender for the scenario's call kind: over fresh channels (<c>--connections</c> per address), or straight into
    /// the first in-process replica's prediction pipeline.
    /// </summary>
    public IRequestSender CreateSender(Scenario scenario, InferRequestSet requests, LoadTestOptions options)
    {
        if (scenario.Call == CallKind.Pipeline)
        {
            return _replicas.Count > 0
                ? new PipelineInferSender(_replicas[0].Pipeline, requests)
                : throw new InvalidOperationException($"scenario '{scenario.Name}' calls an in-process replica's pipeline; run it without --target");
        }

        var channels = Addresses.SelectMany(address => GrpcChannels.CreateMany(address, options.Connections)).ToList();
        return scenario.Call == CallKind.Stream
            ? new StreamInferSender(channels, requests, Math.Max(options.Streams, channels.Count))
            : new UnaryInferSender(channels, requests);
    }

    public static InferRequestSet RequestsFor(string model, LoadTestOptions options) => model switch
    {
        DemoModels.FraudModelName => InferRequests.Fraud(options.BatchSize, options.Encoding),
        DemoModels.ResNet18ModelName => InferRequests.ResNet18(options.BatchSize, options.Encoding),
        _ => throw new ArgumentException($"no requests for model '{model}'", nameof(model)),
    };

    /// <summary>
    /// The scenario's requests: a demo model's own, or for any model those built from what this target's first
    /// address says of it (or taken from <c>--input-data</c>), every address serving it alike, with what they are for
    /// the report.
    /// </summary>
    public async Task<InferRequestSet> RequestsForAsync(Scenario scenario, LoadTestOptions options, CancellationToken cancellationToken)
    {
        if (!scenario.RequestsFromTarget)
        {
            return RequestsFor(scenario.Model, options);
        }

        var served = await ServedModel.ReadFromEveryAsync(Addresses, scenario.Model, options.ModelVersion, cancellationToken).ConfigureAwait(false);
        var version = options.ModelVersion ?? $"default (of {string.Join(", ", served.Metadata.Versions)})";
        if (options.InputDataFile is { } file)
        {
            var (fromFile, given) = ModelRequests.FromInputData(file, served.Metadata, options.ModelVersion, options.Encoding);
            return new InferRequestSet(fromFile.All)
            {
                Details = new Dictionary<string, string>
                {
                    ["model version"] = version,
                    ["batch"] = "as in the file",
                    ["inputs"] = $"{Path.GetFileName(file)} as given: {string.Join(", ", given)}",
                },
            };
        }

        var inputs = ModelRequests.ResolveInputs(served.Metadata, options.BatchSize, options.Shapes);
        var generated = ModelRequests.Generate(scenario.Model, options.ModelVersion, inputs, options.Encoding, options.Seed);
        return new InferRequestSet(generated.All)
        {
            Details = new Dictionary<string, string>
            {
                ["model version"] = version,
                ["batch"] = ModelRequests.DescribeBatch(options.BatchSize, served.MaxBatchSize),
                ["inputs"] = $"random from the model's metadata (seed {options.Seed}, {generated.All.Count} distinct requests): {string.Join(", ", inputs)}",
            },
        };
    }

    /// <summary>The target's details and the requests' together, as a run's report keeps them.</summary>
    public IReadOnlyDictionary<string, string> DetailsWith(InferRequestSet requests) =>
        requests.Details.Count == 0 ? Details : Details.Concat(requests.Details).ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync().ConfigureAwait(false);
        }

        if (_modelRoot is not null)
        {
            DemoModelFiles.DeleteRepository(_modelRoot);
        }
    }
}
