using Mlops.V1;

namespace MlopsAspire.Console.Live;

/// <summary>
/// Every model's audit trail as the console last read it (the newest events of each), with the model's revision at
/// that read. A model's revision grows with every event appended to its trail, so a trail needs reading again only when
/// its model's revision moved: a page that refreshes every few seconds asks for the models (one call) and then only
/// for the trails that changed, instead of for every trail every time.
/// </summary>
public sealed class AuditTrails
{
    private readonly Dictionary<string, (long Revision, List<ModelAuditEvent> Events)> _trails = new(StringComparer.Ordinal);

    /// <summary>The events of every model read so far, in the order the models were listed and each trail's order.</summary>
    public IReadOnlyList<ModelAuditEvent> Events { get; private set; } = [];

    /// <summary>
    /// The models whose trails were never read or changed since (their revision differs from the one read with them).
    /// </summary>
    public IReadOnlyList<Model> Stale(IEnumerable<Model> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        return [.. models.Where(model => !_trails.TryGetValue(model.Name, out var trail) || trail.Revision != model.Revision)];
    }

    /// <summary>
    /// Keeps the trails of <paramref name="models"/> (forgetting models no longer listed) with the logs just read for
    /// some of them. Each log is recorded at the revision its model was listed with: an event appended between the
    /// listing and the read moves the revision again, so the next refresh reads that trail once more rather than miss it.
    /// </summary>
    public void Update(IReadOnlyList<Model> models, IEnumerable<(Model Model, AuditLog Log)> read)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(read);
        foreach (var (model, log) in read)
        {
            _trails[model.Name] = (model.Revision, [.. log.Events.Select(e => new ModelAuditEvent(model.Name, e))]);
        }

        var listed = models.Select(model => model.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _trails.Keys.Where(name => !listed.Contains(name)).ToList())
        {
            _trails.Remove(gone);
        }

        Events = [.. models.Where(model => _trails.ContainsKey(model.Name)).SelectMany(model => _trails[model.Name].Events)];
    }
}
