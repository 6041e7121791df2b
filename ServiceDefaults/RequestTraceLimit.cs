using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace MlopsAspire.ServiceDefaults;

/// <summary>
/// Caps the traces of high-volume requests (a replica's inference calls) at a number per second, so that a replica
/// serving thousands of requests a second neither spends its cores recording spans nor floods the dashboard, while
/// at a developer's pace every request is still traced. A request whose caller sent a sampled trace context is
/// always traced: the caller decided. Requests outside <paramref name="isLimited"/> are traced as usual. A service
/// registers one in its container; the tracing set up by the service defaults applies it.
/// </summary>
/// <param name="isLimited">Which request paths the cap applies to.</param>
/// <param name="perSecond">Limited requests traced per second at most (0: only those whose caller asks).</param>
public sealed class RequestTraceLimit(Func<PathString, bool> isLimited, int perSecond, TimeProvider? time = null)
{
    /// <summary>The largest cap.</summary>
    public const int MaxPerSecond = PerSecondAllowance.MaxPerSecond;

    private readonly Func<PathString, bool> _isLimited = isLimited ?? throw new ArgumentNullException(nameof(isLimited));
    private readonly PerSecondAllowance _allowance = new(perSecond, time);

    public int PerSecond => _allowance.PerSecond;

    /// <summary>Whether the request should be traced.</summary>
    public bool ShouldTrace(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return !_isLimited(context.Request.Path) || CallerSampled(context.Request) || _allowance.TryTake();
    }

    // W3C trace context: version-traceid-parentid-flags, where flag bit 0 says the caller records the trace.
    private static bool CallerSampled(HttpRequest request) =>
        request.Headers.TraceParent.ToString() is { Length: 55 } traceParent
        && traceParent[2] == '-' && traceParent[35] == '-' && traceParent[52] == '-'
        && byte.TryParse(traceParent.AsSpan(53), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags)
        && (flags & 1) == 1;
}
