using MlopsAspire.Training;

namespace MlopsAspire.LoadTest.Scenarios;

/// <summary>The scenarios the load generator knows by name.</summary>
public static class ScenarioCatalog
{
    private const string Fraud = DemoModels.FraudModelName;

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new()
        {
            Name = "fraud-unary",
            Description = "fraud model, one transaction per unary ModelInfer",
            Model = Fraud,
        },
        new()
        {
            Name = "fraud-stream",
            Description = "fraud model, one transaction per request over bidirectional ModelStreamInfer streams",
            Model = Fraud,
            Call = CallKind.Stream,
        },
        new()
        {
            Name = "resnet18",
            Description = "ResNet-18, one 3x224x224 FP32 image per unary ModelInfer",
            Model = DemoModels.ResNet18ModelName,
            DefaultConcurrency = 4,
        },
        new()
        {
            Name = "resnet18-stream",
            Description = "ResNet-18, one 3x224x224 FP32 image per request over bidirectional ModelStreamInfer streams",
            Model = DemoModels.ResNet18ModelName,
            Call = CallKind.Stream,
            DefaultConcurrency = 4,
        },
        new()
        {
            Name = "batching-on",
            Description = "fraud unary against an in-process replica with Inference:Batching:Enabled=true",
            Model = Fraud,
            Target = TargetKind.InProcessOnly,
            Replica = new() { Batching = true },
        },
        new()
        {
            Name = "batching-off",
            Description = "fraud unary against an in-process replica with Inference:Batching:Enabled=false",
            Model = Fraud,
            Target = TargetKind.InProcessOnly,
            Replica = new() { Batching = false },
        },
        new()
        {
            Name = "pipeline-batching-on",
            Description = "fraud requests handed straight to an in-process replica's prediction pipeline (no gRPC) with Inference:Batching:Enabled=true",
            Model = Fraud,
            Call = CallKind.Pipeline,
            Target = TargetKind.InProcessOnly,
            Replica = new() { Batching = true },
        },
        new()
        {
            Name = "pipeline-batching-off",
            Description = "fraud requests handed straight to an in-process replica's prediction pipeline (no gRPC) with Inference:Batching:Enabled=false",
            Model = Fraud,
            Call = CallKind.Pipeline,
            Target = TargetKind.InProcessOnly,
            Replica = new() { Batching = false },
        },
        new()
        {
            Name = "replicas-1",
            Description = "fraud unary against one replica",
            Model = Fraud,
            TargetSetup = "a platform with one inference replica (in-process: one replica)",
        },
        new()
        {
            Name = "replicas-2",
            Description = "fraud unary spread over two replicas",
            Model = Fraud,
            InProcessReplicas = 2,
            TargetSetup = "a platform with two inference replicas behind --target (in-process: two replicas in this process, requests alternate between them)",
        },
        new()
        {
            Name = "shadow-on",
            Description = "fraud unary while a shadow version scores a copy of every request",
            Model = Fraud,
            Target = TargetKind.PlatformOnly,
            TargetSetup = "a platform where fraud has a production version and a shadow version",
        },
        new()
        {
            Name = "shadow-off",
            Description = "fraud unary with no shadow version (the reference for shadow-on)",
            Model = Fraud,
            Target = TargetKind.PlatformOnly,
            TargetSetup = "the same platform with fraud's shadow versions removed",
        },
        new()
        {
            Name = "monitoring-on",
            Description = "fraud unary with prediction statistics flowing to the monitoring grains",
            Model = Fraud,
            Target = TargetKind.PlatformOnly,
            TargetSetup = "a platform with monitoring enabled for fraud",
        },
        new()
        {
            Name = "monitoring-off",
            Description = "fraud unary with monitoring disabled (the reference for monitoring-on)",
            Model = Fraud,
            Target = TargetKind.PlatformOnly,
            TargetSetup = "the same platform with monitoring disabled for fraud",
        },
    ];

    /// <summary>Names any model the target serves, one request per unary ModelInfer: <c>model:NAME</c>.</summary>
    public const string AnyModelPrefix = "model:";

    /// <summary>Names any model the target serves, over ModelStreamInfer streams: <c>model-stream:NAME</c>.</summary>
    public const string AnyModelStreamPrefix = "model-stream:";

    /// <summary>A catalog scenario by name, or a scenario for any model (<c>model:NAME</c>, <c>model-stream:NAME</c>).</summary>
    public static bool TryFind(string name, out Scenario scenario)
    {
        if (TryParseAnyModel(name, AnyModelPrefix, CallKind.Unary, out scenario) || TryParseAnyModel(name, AnyModelStreamPrefix, CallKind.Stream, out scenario))
        {
            return true;
        }

        scenario = All.FirstOrDefault(candidate => string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))!;
        return scenario is not null;
    }

    public static string Names => string.Join(", ", All.Select(scenario => scenario.Name)) + $", {AnyModelPrefix}NAME, {AnyModelStreamPrefix}NAME";

    private static bool TryParseAnyModel(string name, string prefix, CallKind call, out Scenario scenario)
    {
        scenario = null!;
        var model = name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? name[prefix.Length..] : string.Empty;
        if (model.Length == 0)
        {
            return false;
        }

        scenario = new Scenario
        {
            Name = prefix + model,
            Description = call == CallKind.Stream
                ? $"{model}, requests built from the target's ModelMetadata (or --input-data) over bidirectional ModelStreamInfer streams"
                : $"{model}, requests built from the target's ModelMetadata (or --input-data), one per unary ModelInfer",
            Model = model,
            Call = call,
            DefaultConcurrency = 16,
            RequestsFromTarget = true,
        };
        return true;
    }
}
