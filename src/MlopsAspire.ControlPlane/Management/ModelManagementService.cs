using Grpc.Core;
using Microsoft.Extensions.Options;
using Mlops.V1;
using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// The <c>mlops.v1.ModelManagement</c> gRPC service. Callers are admitted by <see cref="ApiKeyInterceptor"/>; the
/// lifecycle rules live in the model grains, whose refusals <see cref="ManagementErrorInterceptor"/> turns into statuses.
/// Retiring a version deletes its artifact from the store once no live version of any model uses it (<see cref="ArtifactCollector"/>).
/// </summary>
public sealed partial class ModelManagementService(
    IGrainFactory grains,
    ModelRegistration registration,
    IOptions<ManagementOptions> options,
    ArtifactCollector collector,
    IHostApplicationLifetime lifetime,
    ILogger<ModelManagementService> logger) : ModelManagement.ModelManagementBase
{

    public override Task<RegisterModelResponse> RegisterModel(IAsyncStreamReader<RegisterModelRequest> requestStream, ServerCallContext context) =>
        registration.RegisterAsync(requestStream, ApiKeyInterceptor.Caller(context), context.CancellationToken);

    public override Task<CallerIdentity> GetCaller(GetCallerRequest request, ServerCallContext context)
    {
        var caller = ApiKeyInterceptor.Caller(context);
        return Task.FromResult(new CallerIdentity { Name = caller.Name, Role = caller.Role.ToString().ToLowerInvariant() });
    }

    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var names = await grains.GetGrain<IModelRegistryGrain>(IModelRegistryGrain.SingletonKey).ListModelsAsync();
        var models = await Task.WhenAll(names.Select(async name =>
        {
            var model = grains.GetGrain<IModelGrain>(name);
            // A name the registry knows whose model holds no versions (e.g. state from an earlier layout) is not listed.
            return await model.ExistsAsync() ? await model.GetAsync() : null;
        }));
        var response = new ListModelsResponse();
        response.Models.AddRange(models.OfType<ModelInfo>().Select(model => model.ToProto()));
        return response;
    }

    public override async Task<Model> GetModel(GetModelRequest request, ServerCallContext context) =>
        (await Model(request.Name).GetAsync()).ToProto().WithReplicaLoads(await ReplicaLoadsAsync(request.Name));

    public override async Task<ModelVersion> GetVersion(GetVersionRequest request, ServerCallContext context) =>
        (await Model(request.Name).GetVersionAsync(Required(request.Version, "version"))).ToProto().WithReplicaLoad(await ReplicaLoadsAsync(request.Name));

    public override async Task<ListEndpointsResponse> ListEndpoints(ListEndpointsRequest request, ServerCallContext context)
    {
        var model = await Model(request.Name).GetAsync();
        var production = model.ProductionVersion
            ?? throw new LifecycleViolationException($"Model '{model.Name}' has no production version, so no replica serves it; promote a version first.");
        return (await ReplicaLoadsAsync(model.Name)).ToEndpoints(model.Name, production);
    }

    public override Task<LifecycleResponse> SetShadow(SetShadowRequest request, ServerCallContext context) =>
        ChangeAsync(request.Name, context, (model, change) =>
            model.SetShadowAsync(Required(request.Version, "version"), request.SampleRate, change with { ExpectedRevision = Expected(request.HasExpectedRevision, request.ExpectedRevision) }),
            request.Reason);

    public override Task<LifecycleResponse> SetCanary(SetCanaryRequest request, ServerCallContext context) =>
        ChangeAsync(request.Name, context, (model, change) =>
            model.SetCanaryAsync(Required(request.Version, "version"), request.WeightPercent, change with { ExpectedRevision = Expected(request.HasExpectedRevision, request.ExpectedRevision) }),
            request.Reason);

    public override Task<LifecycleResponse> Promote(PromoteRequest request, ServerCallContext context) =>
        ChangeAsync(request.Name, context, (model, change) =>
            model.PromoteAsync(Required(request.Version, "version"), change with { ExpectedRevision = Expected(request.HasExpectedRevision, request.ExpectedRevision) }),
            request.Reason);

    public override Task<LifecycleResponse> Rollback(RollbackRequest request, ServerCallContext context) =>
        ChangeAsync(request.Name, context, (model, change) =>
            model.RollbackAsync(change with { ExpectedRevision = Expected(request.HasExpectedRevision, request.ExpectedRevision) }),
            request.Reason);

    public override async Task<LifecycleResponse> Retire(RetireRequest request, ServerCallContext context)
    {
        var response = await ChangeAsync(request.Name, context, (model, change) =>
            model.RetireAsync(Required(request.Version, "version"), change with { ExpectedRevision = Expected(request.HasExpectedRevision, request.ExpectedRevision) }),
            request.Reason);
        await CollectArtifactAsync(request.Name, response.Version.Version, response.Version.ArtifactSha256);
        return response;
    }

    public override async Task<AuditLog> GetAuditLog(GetAuditLogRequest request, ServerCallContext context)
    {
        var page = AuditPageRequest.Parse(request.PageSize, request.PageToken, request.NewestFirst, "page_size");
        var model = Model(request.Name);
        if (!await model.ExistsAsync())
        {
            throw new ModelNotFoundException($"Model '{AuditText.Name(request.Name)}' is not registered.");
        }

        var slice = await model.GetAuditLogAsync(page.Start, page.Count);
        var (events, nextPageToken) = page.Page(slice);
        var log = new AuditLog { NextPageToken = nextPageToken, TotalEvents = slice.Total };
        log.Events.AddRange(events.Select(e => e.Event.ToProto(e.Sequence)));
        return log;
    }

    public override async Task WatchModel(WatchModelRequest request, IServerStreamWriter<ModelChange> responseStream, ServerCallContext context)
    {
        // A watch never ends by itself, and the server waits for open calls before it stops (and before its silo
        // leaves): a stopping control plane ends its watches, and the watchers watch again elsewhere.
        using var watching = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await WatchAsync(Model(request.Name), responseStream, watching.Token);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "This control plane is stopping; watch the model again to follow it through another."));
        }
    }

    private async Task WatchAsync(IModelGrain model, IServerStreamWriter<ModelChange> responseStream, CancellationToken cancellationToken)
    {
        await using var feed = await ModelChangeFeed.SubscribeAsync(grains, model);

        var current = await model.GetAsync();
        await responseStream.WriteAsync(new ModelChange { Revision = current.Revision, Model = current.ToProto() }, cancellationToken);
        var sentRevision = current.Revision;
        var renewInterval = options.Value.WatchRenewInterval;

        while (!cancellationToken.IsCancellationRequested)
        {
            ModelChangeNotice? notice = null;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(renewInterval);
                try
                {
                    notice = await feed.Notices.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Quiet for a while: renew the subscription and catch up below in case a notice was lost.
                    await feed.RenewAsync();
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (notice is not null && notice.Revision <= sentRevision)
            {
                continue;
            }

            current = await model.GetAsync();
            if (current.Revision <= sentRevision)
            {
                continue;
            }

            var change = new ModelChange { Revision = current.Revision, Model = current.ToProto() };
            // A notice describes exactly one revision; after a gap the audit trail has everything that happened.
            var events = notice is not null && notice.Revision == current.Revision && notice.Revision == sentRevision + 1
                ? notice.Events.Select((auditEvent, index) => (auditEvent, notice.FirstSequence + index)).ToList()
                : await AuditSinceAsync(model, sentRevision);
            change.Events.AddRange(events.Select(e => e.Item1.ToProto(e.Item2)));
            await responseStream.WriteAsync(change, cancellationToken);
            sentRevision = current.Revision;
        }
    }

    public override async Task<SecurityAuditLog> GetSecurityAuditLog(GetSecurityAuditLogRequest request, ServerCallContext context)
    {
        var page = AuditPageRequest.Parse(request.Limit, request.PageToken, newestFirst: true, "limit");
        var slice = await grains.GetGrain<ISecurityAuditGrain>(ISecurityAuditGrain.SingletonKey).ReadAsync(page.Start, page.Count);
        var (events, nextPageToken) = page.Page(slice);
        var log = new SecurityAuditLog { NextPageToken = nextPageToken, TotalEvents = slice.Total };
        log.Events.AddRange(events.Select(e => e.Event.ToProto(e.Sequence)));
        return log;
    }

    /// <summary>The audit events after <paramref name="revision"/>, oldest first: read back from the newest until an earlier one.</summary>
    private static async Task<List<(Abstractions.AuditEvent, long)>> AuditSinceAsync(IModelGrain model, long revision)
    {
        var events = new List<(Abstractions.AuditEvent, long)>();
        long start = -AuditPageRequest.DefaultPageSize;
        var count = AuditPageRequest.DefaultPageSize;
        while (true)
        {
            var slice = await model.GetAuditLogAsync(start, count);
            var newer = slice.Events
                .Select((auditEvent, index) => (auditEvent, slice.Start + index))
                .Where(e => e.auditEvent.Revision > revision)
                .ToList();
            events.InsertRange(0, newer);
            if (newer.Count < slice.Events.Count || slice.Start <= slice.Oldest)
            {
                return events;
            }

            count = (int)Math.Min(AuditPageRequest.DefaultPageSize, slice.Start - slice.Oldest);
            start = slice.Start - count;
        }
    }

    private async Task<LifecycleResponse> ChangeAsync(
        string name, ServerCallContext context, Func<IModelGrain, ChangeContext, Task<ModelVersionInfo>> change, string reason)
    {
        var model = Model(name);
        var caller = ApiKeyInterceptor.Caller(context);
        var version = await change(model, new ChangeContext(caller.Name, reason));
        return new LifecycleResponse { Version = version.ToProto(), Model = (await model.GetAsync()).ToProto() };
    }

    /// <summary>
    /// The retirement already stands, so a failure to collect its artifact is logged, not returned: the artifact
    /// merely stays in the store, and the next retirement of a version using it tries again.
    /// </summary>
    private async Task CollectArtifactAsync(string model, string version, string sha256)
    {
        try
        {
            await collector.CollectAsync(sha256, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogCollectionFailed(ex, sha256, model, version);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Artifact sha256 {Sha256} of retired model {Model} version {Version} could not be collected; it stays in the store")]
    private partial void LogCollectionFailed(Exception exception, string sha256, string model, string version);

    private IModelGrain Model(string name)
    {
        if (!ModelNames.IsValid(name))
        {
            throw new ArgumentException($"Model name '{name}' is not valid: 1-{ModelNames.MaxLength} letters, digits, '-', '_' or '.', starting with a letter or digit.");
        }

        return grains.GetGrain<IModelGrain>(name);
    }

    /// <summary>What the replicas reported of the model's versions (the name is valid: its model was just read).</summary>
    private Task<IReadOnlyList<VersionLoadSummary>> ReplicaLoadsAsync(string name) =>
        grains.GetGrain<IModelLoadStatusGrain>(name).GetAsync();

    private static string Required(string value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"The request must name the {field}.") : value;

    private static long? Expected(bool given, long revision) => given ? revision : null;
}
