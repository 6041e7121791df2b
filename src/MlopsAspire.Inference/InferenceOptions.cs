using MlopsAspire.Serving;

namespace MlopsAspire.Inference;

/// <summary>Settings of an inference replica, bound from the <c>Inference</c> configuration section.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>
    /// A local Triton-style model folder (<c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx</c>), used when no
    /// <c>store</c> connection string is configured. The highest numeric version of each model is its default.
    /// </summary>
    public string? ModelRepository { get; set; }

    /// <summary>
    /// API keys callers must present as <c>authorization: Bearer &lt;key&gt;</c>, by name (the name only labels the key):
    /// <c>Inference:ApiKeys:checkout-service = &lt;key&gt;</c> (environment variable <c>Inference__ApiKeys__checkout-service</c>),
    /// or as a list, <c>Inference:ApiKeys:0 = &lt;key&gt;</c>. When none is configured (the default), inference is open.
    /// When any is, every Open Inference gRPC call except <c>ServerLive</c> and <c>ServerReady</c> without a known key
    /// fails with UNAUTHENTICATED, and every REST route under <c>/v2</c> except <c>/v2/health/*</c> answers 401 with
    /// <c>{"error": "..."}</c>. Keys are kept only as SHA-256 digests and compared in constant time.
    /// </summary>
    public Dictionary<string, string> ApiKeys { get; set; } = [];

    /// <summary>Largest gRPC message received or sent, in bytes (default 64 MiB); also the largest REST request body.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Bytes of input tensors that the queues of every model together may hold; a request that would pass it is
    /// refused with RESOURCE_EXHAUSTED (REST 429). Each model's queue also has its own bound, its config's
    /// <c>dynamic_batching.max_queue_bytes</c>. Default (null): a quarter of the memory the process may use.
    /// </summary>
    public long? MaxQueuedBytes { get; set; }

    /// <summary>
    /// Requests of one ModelStreamInfer stream that may be computing at once; the stream stops reading until one
    /// finishes, which pushes back on a client that sends faster than the models answer.
    /// </summary>
    public int StreamMaxInFlight { get; set; } = 256;

    /// <summary>How often the routing table is read from the control plane.</summary>
    public TimeSpan RoutingPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How soon a version that failed to load is tried again; each further failure doubles the wait, up to
    /// <see cref="LoadRetryMaxDelay"/>. A new artifact or configuration for the version is tried at once.
    /// </summary>
    public TimeSpan LoadRetryInitialDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two tries of a version that keeps failing to load.</summary>
    public TimeSpan LoadRetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where downloaded model artifacts are cached; default: a folder per replica under the temp folder.</summary>
    public string? ArtifactCacheDirectory { get; set; }

    /// <summary>Threads one ONNX Runtime Run may use; 0 lets ONNX Runtime decide.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Threads for independent graph branches; 0 lets ONNX Runtime decide.</summary>
    public int InterOpThreads { get; set; }

    public ExecutionProvider ExecutionProvider { get; set; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device ordinal when <see cref="ExecutionProvider"/> is CUDA.</summary>
    public int DeviceId { get; set; }

    /// <summary>
    /// Open Inference Protocol requests (gRPC and REST) traced per second at most; a request whose caller sent a
    /// sampled trace context is always traced. At a developer's pace every request shows on the dashboard; a busy
    /// replica neither spends its cores on a span per request nor floods the dashboard. 0 traces only the requests
    /// whose callers ask.
    /// </summary>
    public int MaxInferenceTracesPerSecond { get; set; } = 10;

    /// <summary>Dynamic batching of requests (<c>Inference:Batching</c>).</summary>
    public InferenceBatchingOptions Batching { get; set; } = new();

    public OnnxModelOptions ToModelOptions() => new()
    {
        IntraOpThreads = IntraOpThreads,
        InterOpThreads = InterOpThreads,
        ExecutionProvider = ExecutionProvider,
        DeviceId = DeviceId,
    };

    /// <summary>Whether the artifact cache is this process's folder under the system temp folder (nothing configured).</summary>
    public bool UsesTemporaryArtifactCache => string.IsNullOrWhiteSpace(ArtifactCacheDirectory);

    public string ResolveArtifactCacheDirectory() =>
        UsesTemporaryArtifactCache
            ? Path.Combine(Path.GetTempPath(), "mlopsaspire", "artifacts", $"{Models.TemporaryArtifactCacheFolder.FolderPrefix}{Environment.ProcessId}")
            : ArtifactCacheDirectory!;
}
