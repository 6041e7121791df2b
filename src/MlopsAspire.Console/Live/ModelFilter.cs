using Mlops.V1;

namespace MlopsAspire.Console.Live;

/// <summary>
/// Which models the grid shows: those with a version in <paramref name="Stage"/>, owned by <paramref name="Owner"/>
/// (each empty for any) and, when <paramref name="WithAlerts"/>, only those with an open alert.
/// </summary>
public sealed record ModelFilter(string Stage = "", string Owner = "", bool WithAlerts = false)
{
    public IEnumerable<ModelRow> Apply(IEnumerable<ModelRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var stage = Enum.TryParse<ModelVersionState>(Stage, out var state) ? state : (ModelVersionState?)null;
        return rows.Where(row => (stage is not { } wanted || row.States.Contains(wanted))
            && (Owner.Length == 0 || row.Owner == Owner)
            && (!WithAlerts || row.Alerts.Count > 0));
    }
}
