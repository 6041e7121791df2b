using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using MlopsAspire.ModelContracts;
using MlopsAspire.Serving.Batching;
using MlopsAspire.Serving.Configuration;
using MlopsAspire.Serving.Planning;
using MlopsAspire.Serving.Statistics;

namespace MlopsAspire.Serving;

/// <summary>
/// One loaded model version: an ONNX Runtime session and its signature. Callers hold a lease while they use it,
/// so that unloading waits for in-flight requests before the session is disposed.
/// </summary>
public sealed partial class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly CancellationTokenSource _unloading = new();
    private MonitoringPlan? _monitoringPlan;

    // One reference for "loaded" plus one per lease; the session is disposed when it reaches zero.
    private int _references = 1;
    private int _retired;

    private OnnxModel(string name, string version, InferenceSession session, ExecutionProvider provider, ModelConfiguration configuration, int intraOpThreads)
    {
        Name = name;
        Version = version;
        _session = session;
        ExecutionProvider = provider;
        IntraOpThreads = intraOpThreads;
        Signature = ModelSignature.FromSession(session);
        Configuration = configuration;
        // Resolved now so that a configuration that does not fit the model fails the load, not the first request.
        Batching = BatchingOptions.Resolve(configuration, Signature);
        _runOptions = new RunOptions();
        Statistics = new ModelStatistics(name, version);
    }

    public string Name { get; }

    public string Version { get; }

    public ModelSignature Signature { get; }

    /// <summary>The provider the session actually runs on (CPU after a CUDA fallback).</summary>
    public ExecutionProvider ExecutionProvider { get; }

    /// <summary>Cumulative request, queue, compute and batch statistics of this version.</summary>
    public ModelStatistics Statistics { get; }

    /// <summary>The configuration the version was loaded with (its <c>config.json</c>, or defaults).</summary>
    public ModelConfiguration Configuration { get; }

    /// <summary>
    /// How requests to this version are queued and batched, resolved from <see cref="Configuration"/> and the
    /// signature; its instance count follows <see cref="Plan"/>.
    /// </summary>
    public BatchingOptions Batching { get; private set; }

    /// <summary>Threads one run of the session uses; 0 when ONNX Runtime chooses.</summary>
    public int IntraOpThreads { get; }

    /// <summary>How many executions run at once, and why; set once warmup has measured the version.</summary>
    public ExecutionPlan Plan { get; private set; } = ExecutionPlan.Initial;

    /// <summary>Adopts <paramref name="plan"/> before the version is published to requests (no batcher exists yet).</summary>
    public void ApplyPlan(ExecutionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(plan.Instances, 1);
        Plan = plan;
        Batching = Batching with { InstanceCount = plan.Instances };
    }

    /// <summary>What monitoring reads from this version's requests and responses, from its contract and signature.</summary>
    public MonitoringPlan MonitoringPlan => _monitoringPlan ??= MonitoringPlan.For(Configuration.Contract, Describe(Signature.Inputs), Describe(Signature.Outputs));

    /// <summary>Fires when the version is unloaded (no new leases); work already accepted still finishes.</summary>
    public CancellationToken Unloading => _unloading.Token;

    /// <summary>True once unloaded, even while leases are still out.</summary>
    public bool IsUnloading => Volatile.Read(ref _retired) != 0;

    /// <summary>True once unloaded and every lease is returned.</summary>
    public bool IsDisposed => Volatile.Read(ref _references) == 0;

    /// <param name="options">Session settings of the server; the configuration's own settings take precedence.</param>
    /// <param name="configuration">The version's configuration; null takes the defaults.</param>
    public static OnnxModel Load(
        string name,
        string version,
        string modelPath,
        OnnxModelOptions? options = null,
        ILogger? logger = null,
        ModelConfiguration? configuration = null) =>
        Create(name, version, sessionOptions => new InferenceSession(modelPath, sessionOptions), options, logger, configuration);

    /// <inheritdoc cref="Load(string, string, string, OnnxModelOptions?, ILogger?, ModelConfiguration?)"/>
    public static OnnxModel Load(
        string name,
        string version,
        byte[] modelBytes,
        OnnxModelOptions? options = null,
        ILogger? logger = null,
        ModelConfiguration? configuration = null) =>
        Create(name, version, sessionOptions => new InferenceSession(modelBytes, sessionOptions), options, logger, configuration);

    private static OnnxModel Create(
        string name,
        string version,
        Func<SessionOptions, InferenceSession> createSession,
        OnnxModelOptions? options,
        ILogger? logger,
        ModelConfiguration? configuration)
    {
        configuration ??= ModelConfiguration.Default;
        options = configuration.ApplyTo(options ?? new OnnxModelOptions());
        logger ??= NullLogger.Instance;
        using var sessionOptions = CreateSessionOptions(options, name, version, logger, out var provider);
        var session = createSession(sessionOptions);
        try
        {
            return new OnnxModel(name, version, session, provider, configuration, options.IntraOpThreads);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static SessionOptions CreateSessionOptions(
        OnnxModelOptions options,
        string name,
        string version,
        ILogger logger,
        out ExecutionProvider provider)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimizationLevel switch
            {
                GraphOptimization.Disable => GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Math.Max(0, options.IntraOpThreads),
            InterOpNumThreads = Math.Max(0, options.InterOpThreads),
            EnableCpuMemArena = options.EnableCpuMemArena,
        };
        var spinning = options.AllowSpinning ? "1" : "0";
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning);
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", spinning);

        provider = ExecutionProvider.Cpu;
        if (options.ExecutionProvider == ExecutionProvider.Cuda)
        {
            try
            {
                sessionOptions.AppendExecutionProvider_CUDA(options.DeviceId);
                provider = ExecutionProvider.Cuda;
            }
            catch (Exception exception)
            {
                // Without a GPU (or with the CPU-only runtime package) the provider cannot load; serve on CPU instead.
                LogCudaUnavailable(logger, exception, name, version);
            }
        }

        return sessionOptions;
    }

    /// <summary>Takes a lease; false once the model is unloaded (the caller should resolve again).</summary>
    public bool TryAcquire()
    {
        while (true)
        {
            var references = Volatile.Read(ref _references);
            if (references == 0 || Volatile.Read(ref _retired) != 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, references + 1, references) == references)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Statistics.Detach();
            _runOptions.Dispose();
            _session.Dispose();
        }
    }

    /// <summary>Unloads: no new leases, and the session is disposed when the last lease is returned.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0)
        {
            // Tell batchers first: they stop taking requests and finish what is queued, which holds leases.
            _unloading.Cancel();
            Release();
        }
    }

    /// <summary>
    /// Runs the session on validated inputs. The caller owns the returned values (dispose each) and must hold a
    /// lease until it has disposed them, because outputs may live in the session's memory arena.
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(PreparedInputs inputs, IReadOnlyList<string> outputNames)
    {
        try
        {
            return _session.Run(_runOptions, inputs.Names, inputs.Values, outputNames);
        }
        catch (OnnxRuntimeException exception)
        {
            // Our validation covers names, datatypes and declared shapes; what ONNX Runtime still rejects
            // (e.g. inputs whose batch sizes disagree) is the request's fault when it says "invalid argument".
            var kind = exception.Message.Contains("[ErrorCode:InvalidArgument]", StringComparison.Ordinal)
                ? InferenceErrorKind.InvalidArgument
                : InferenceErrorKind.Internal;
            throw new InferenceException(kind, $"model '{Name}' version '{Version}' failed: {exception.Message}", exception);
        }
    }

    public override string ToString() => $"{Name}:{Version}";

    private static TensorDescription[] Describe(IReadOnlyList<TensorSpec> tensors) =>
        [.. tensors.Select(tensor => new TensorDescription(tensor.Name, tensor.DatatypeName, tensor.Shape))];

    [LoggerMessage(Level = LogLevel.Warning, Message = "CUDA execution provider unavailable for model {Model} version {Version}; running on CPU")]
    private static partial void LogCudaUnavailable(ILogger logger, Exception exception, string model, string version);
}
