using MlopsAspire.LoadTest.Targets;

namespace MlopsAspire.LoadTest.Scenarios;

public enum CallKind
{
    /// <summary>One ModelInfer call per request.</summary>
    Unary,

    /// <summary>Requests over long-lived bidirectional ModelStreamInfer streams.</summary>
    Stream,

    /// <summary>Requests handed to an in-process replica's prediction pipeline, with no transport.</summary>
    Pipeline,
}

/// <summary>Where a scenario can run.</summary>
public enum TargetKind
{
    /// <summary>Against a running platform (--target) or an in-process replica (--in-process).</summary>
    Any,

    /// <summary>It starts its own replicas with particular settings, so only in-process.</summary>
    InProcessOnly,

    /// <summary>It needs platform features an in-process replica does not have; --target only.</summary>
    PlatformOnly,
}

/// <summary>A named traffic shape against a model, and what the target must look like for its numbers to mean something.</summary>
public sealed record Scenario
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    public required string Model { get; init; }

    /// <summary>
    /// Requests are built from what the target says of <see cref="Model"/> (its ModelMetadata) or taken from
    /// <c>--input-data</c>, not from a demo model's own generator: the scenarios that name any model.
    /// </summary>
    public bool RequestsFromTarget { get; init; }

    public CallKind Call { get; init; } = CallKind.Unary;

    /// <summary>Clients of the closed model when the command line names neither a rate nor a concurrency.</summary>
    public int DefaultConcurrency { get; init; } = 64;

    public TargetKind Target { get; init; } = TargetKind.Any;

    /// <summary>Settings of the in-process replica(s) this scenario starts.</summary>
    public ReplicaSettings Replica { get; init; } = new();

    /// <summary>How many in-process replicas the client spreads its requests over.</summary>
    public int InProcessReplicas { get; init; } = 1;

    /// <summary>What to set up on a running platform before pointing this scenario at it.</summary>
    public string? TargetSetup { get; init; }
}
