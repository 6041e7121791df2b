namespace MlopsAspire.Architecture.Tests;

/// <summary>Where a product project sits in the one-way flow contracts ← libraries ← adapters ← hosts ← AppHost.</summary>
public enum Layer
{
    /// <summary>Wire contract: the .proto messages and services (Protos). Depends on nothing of ours.</summary>
    WireContract,

    /// <summary>The model contract: what a version's config says (ModelContracts). Depends on nothing of ours.</summary>
    ModelContract,

    /// <summary>
    /// Grain interfaces and the messages grains exchange and persist (Abstractions). Depends only on the model contract,
    /// whose task and alert kinds its messages carry; it knows no library, so every tier can call grains.
    /// </summary>
    GrainContract,

    /// <summary>
    /// Pure libraries (Monitoring, Serving, Artifacts, Training, FraudData): no hosting, no Orleans, no gRPC. They depend
    /// only on the model contract, so each can be tested and benchmarked alone.
    /// </summary>
    Library,

    /// <summary>
    /// Adapters between libraries and grain contracts (Monitoring.Mapping, Grains): the mapping turns library types into
    /// grain messages and back; grains persist state and call the libraries for every decision.
    /// </summary>
    Adapter,

    /// <summary>Hosting defaults every service process calls first (ServiceDefaults). Depends on nothing of ours.</summary>
    HostingDefaults,

    /// <summary>A process a host starts beside itself (ValidationSandbox). Depends on libraries and contracts.</summary>
    ChildProcess,

    /// <summary>Processes (ControlPlane, Inference, TrainingWorker, Cli, Console, Store): wire the layers below into a service or tool.</summary>
    Host,

    /// <summary>The Aspire AppHost: starts the hosts.</summary>
    AppHost,
}
