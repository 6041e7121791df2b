using MlopsAspire.Abstractions;

namespace MlopsAspire.Grains.Tests;

internal static class AuditTrailReading
{
    /// <summary>A model's whole audit trail, oldest first, read a slice at a time as any reader must.</summary>
    public static async Task<IReadOnlyList<AuditEvent>> ReadAuditTrailAsync(this IModelGrain model)
    {
        var events = new List<AuditEvent>();
        while (true)
        {
            var slice = await model.GetAuditLogAsync(events.Count, AuditSlices.MaxEvents);
            events.AddRange(slice.Events);
            if (slice.Events.Count == 0 || events.Count >= slice.Total)
            {
                return events;
            }
        }
    }
}
