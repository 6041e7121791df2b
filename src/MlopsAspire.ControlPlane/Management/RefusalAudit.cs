using System.Globalization;
using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;

namespace MlopsAspire.ControlPlane.Management;

/// <summary>
/// Writes refused management calls to the security audit so that a flood costs little and leaves little: in each
/// interval (<see cref="ManagementOptions.RefusalAuditInterval"/>) a caller's first
/// <see cref="ManagementOptions.RefusalAuditLimit"/> refusals are recorded one by one; the rest are only counted in
/// memory and, when the interval ends, become one <c>suppressed</c> entry saying how many, of what. A caller is the
/// peer address for calls without a valid key (any such key is the caller's own claim) and the key's name
/// otherwise. Callers beyond <see cref="MaxCallers"/> in one interval share one count.
/// </summary>
public sealed partial class RefusalAudit(
    IGrainFactory grains,
    TimeProvider time,
    IOptions<ManagementOptions> options,
    ILogger<RefusalAudit> logger) : IHostedService, IAsyncDisposable
{
    /// <summary>Callers counted apart in one interval; more share the <see cref="OtherCallers"/> count.</summary>
    public const int MaxCallers = 1024;

    public const string SuppressedOutcome = "suppressed";

    private const string OtherCallers = "other callers";
    private const int NamedOperations = 5;

    private readonly Lock _lock = new();
    private Dictionary<string, CallerCount> _interval = new(StringComparer.Ordinal);
    private DateTimeOffset _intervalStart = time.GetUtcNow();
    private ITimer? _timer;
    private Task _ending = Task.CompletedTask;

    /// <summary>
    /// Records <paramref name="refusal"/> (already bounded) as the caller's own entry while the caller is within
    /// its allowance for this interval; otherwise counts it. True when it was recorded.
    /// </summary>
    /// <param name="caller">Who the allowance belongs to: <c>peer &lt;address&gt;</c> or <c>key &lt;name&gt;</c>.</param>
    public async Task<bool> RecordAsync(string caller, SecurityAuditEvent refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        lock (_lock)
        {
            if (!_interval.TryGetValue(caller, out var count) && _interval.Count >= MaxCallers)
            {
                caller = OtherCallers;
                _interval.TryGetValue(caller, out count);
            }

            count ??= _interval[caller] = new CallerCount(refusal.Peer);
            if (count.Recorded >= options.Value.RefusalAuditLimit)
            {
                count.Suppress(refusal);
                return false;
            }

            count.Recorded++;
        }

        await WriteAsync(refusal);
        return true;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var interval = options.Value.RefusalAuditInterval;
        _timer = time.CreateTimer(_ => _ending = EndIntervalAsync(), null, interval, interval);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
            _timer = null;
        }

        await _ending;
        await EndIntervalAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }
    }

    /// <summary>Closes the interval: every caller's allowance starts again, and what went unrecorded is summarised.</summary>
    public async Task EndIntervalAsync()
    {
        Dictionary<string, CallerCount> ended;
        DateTimeOffset from;
        var to = time.GetUtcNow();
        lock (_lock)
        {
            ended = _interval;
            from = _intervalStart;
            _interval = new Dictionary<string, CallerCount>(StringComparer.Ordinal);
            _intervalStart = to;
        }

        foreach (var (caller, count) in ended.Where(pair => pair.Value.Suppressed > 0))
        {
            LogSuppressed(caller, count.Suppressed, from, to);
            await WriteAsync(count.Summary(caller, from, to));
        }
    }

    private async Task WriteAsync(SecurityAuditEvent auditEvent)
    {
        try
        {
            await grains.GetGrain<ISecurityAuditGrain>(ISecurityAuditGrain.SingletonKey).RecordAsync(auditEvent);
        }
        catch (Exception exception)
        {
            // The refusal stands even if the trail cannot be written; the log still has it.
            LogAuditFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} more refusals from {Caller} between {From:u} and {To:u} were counted, not recorded one by one")]
    private partial void LogSuppressed(string caller, long count, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write a refused call to the security audit")]
    private partial void LogAuditFailed(Exception exception);

    /// <summary>One caller's refusals in the current interval.</summary>
    private sealed class CallerCount(string? peer)
    {
        private readonly Dictionary<string, long> _byOperation = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _byOutcome = new(StringComparer.Ordinal);

        public int Recorded { get; set; }

        public long Suppressed { get; private set; }

        public void Suppress(SecurityAuditEvent refusal)
        {
            Suppressed++;
            // Operations and outcomes are few and bounded (the services' methods, two outcomes).
            _byOperation[refusal.Operation] = _byOperation.GetValueOrDefault(refusal.Operation) + 1;
            _byOutcome[refusal.Outcome] = _byOutcome.GetValueOrDefault(refusal.Outcome) + 1;
        }

        public SecurityAuditEvent Summary(string caller, DateTimeOffset from, DateTimeOffset to)
        {
            var operations = _byOperation.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).ToList();
            var named = string.Join(", ", operations.Take(NamedOperations).Select(pair => Counted(pair.Value, pair.Key)));
            var others = operations.Skip(NamedOperations).Sum(pair => pair.Value);
            var outcomes = string.Join(", ", _byOutcome.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => Counted(pair.Value, pair.Key)));
            var detail = string.Create(CultureInfo.InvariantCulture,
                $"{Suppressed:N0} more refusals from {caller} between {from:u} and {to:u} were counted, not recorded one by one ({outcomes}): {named}{(others > 0 ? $", {others:N0} others" : "")}.");
            return new SecurityAuditEvent(to, caller, operations[0].Key, SuppressedOutcome, detail, null, caller == OtherCallers ? null : peer).Bounded();
        }

        private static string Counted(long count, string what) => string.Create(CultureInfo.InvariantCulture, $"{what} ×{count:N0}");
    }
}
