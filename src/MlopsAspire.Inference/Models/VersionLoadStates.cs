using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;

namespace MlopsAspire.Inference.Models;

/// <summary>
/// Loaded, loading or failed (with the error) for every version this replica was asked to serve, and when a failed
/// one may be tried again: the wait starts at <see cref="InferenceOptions.LoadRetryInitialDelay"/> and doubles with
/// each failure up to <see cref="InferenceOptions.LoadRetryMaxDelay"/>, so a version that cannot load costs a few
/// attempts an hour, not one every poll. A version whose artifact or configuration changes starts afresh. Health,
/// metrics, the repository index and the reports to the control plane read it.
/// </summary>
public sealed class VersionLoadStates(IOptions<InferenceOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Model, string Version), Entry> _entries = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every tracked version, by model and version.</summary>
    public IReadOnlyList<VersionLoad> Snapshot()
    {
        lock (_lock)
        {
            return [.. _entries.OrderBy(entry => entry.Key.Model, StringComparer.Ordinal).ThenBy(entry => entry.Key.Version, StringComparer.Ordinal).Select(entry => entry.Value.Load)];
        }
    }

    /// <summary>Completes at the next change of any version's state.</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _changed.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Whether loading <paramref name="contentKey"/> should be tried now: false while a failure of the same content waits out its backoff.</summary>
    public bool IsDue(string model, string version, string contentKey)
    {
        lock (_lock)
        {
            return !_entries.TryGetValue((model, version), out var entry)
                || entry.ContentKey != contentKey
                || entry.Load.State != VersionLoadState.Failed
                || entry.Load.NextAttemptAt <= time.GetUtcNow();
        }
    }

    public void Loading(string model, string version, string contentKey) =>
        Update(model, version, contentKey, previous => new VersionLoad(
            model, version, VersionLoadState.Loading, previous?.Error, previous?.FailedAttempts ?? 0, null, previous?.TotalFailures ?? 0));

    public void Loaded(string model, string version, string contentKey) =>
        Update(model, version, contentKey, previous => new VersionLoad(
            model, version, VersionLoadState.Loaded, null, 0, null, previous?.TotalFailures ?? 0));

    /// <summary>Records a failed attempt and schedules the next; returns the version's state after it.</summary>
    public VersionLoad Failed(string model, string version, string contentKey, Exception exception)
    {
        VersionLoad failed = null!;
        Update(model, version, contentKey, previous =>
        {
            var attempts = (previous?.FailedAttempts ?? 0) + 1;
            failed = new VersionLoad(
                model, version, VersionLoadState.Failed, Describe(exception), attempts, time.GetUtcNow() + RetryDelay(attempts), (previous?.TotalFailures ?? 0) + 1);
            return failed;
        });
        return failed;
    }

    /// <summary>Makes the failed versions of <paramref name="model"/> due now: an explicit load request does not wait out a backoff.</summary>
    public void RetryNow(string model)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var (key, entry) in _entries.Where(entry => entry.Key.Model == model && entry.Value.Load.State == VersionLoadState.Failed).ToList())
            {
                _entries[key] = entry with { Load = entry.Load with { NextAttemptAt = now } };
            }
        }
    }

    /// <summary>Forgets the versions no longer asked for.</summary>
    public void RetainOnly(IReadOnlySet<(string Model, string Version)> wanted)
    {
        lock (_lock)
        {
            var removed = _entries.Keys.Where(key => !wanted.Contains(key)).ToList();
            foreach (var key in removed)
            {
                _entries.Remove(key);
            }

            if (removed.Count > 0)
            {
                SignalChanged();
            }
        }
    }

    /// <summary>The wait after <paramref name="failedAttempts"/> consecutive failures.</summary>
    public TimeSpan RetryDelay(int failedAttempts)
    {
        var initial = options.Value.LoadRetryInitialDelay;
        var max = options.Value.LoadRetryMaxDelay;
        var doublings = Math.Clamp(failedAttempts - 1, 0, 30);
        var delay = initial * Math.Pow(2, doublings);
        return delay > max ? max : delay;
    }

    private void Update(string model, string version, string contentKey, Func<VersionLoad?, VersionLoad> next)
    {
        lock (_lock)
        {
            // A new artifact or configuration is a new start: earlier failures of other content do not delay it.
            var previous = _entries.TryGetValue((model, version), out var entry)
                ? entry.ContentKey == contentKey ? entry.Load : entry.Load with { FailedAttempts = 0 }
                : null;
            var load = next(previous);
            if (entry is not null && entry.Load == load && entry.ContentKey == contentKey)
            {
                return;
            }

            _entries[(model, version)] = new Entry(contentKey, load);
            SignalChanged();
        }
    }

    private void SignalChanged()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The exception's message and those it wraps: the innermost often names the real cause.</summary>
    private static string Describe(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null && messages.Count < 3; current = current.InnerException)
        {
            if (!messages.Contains(current.Message))
            {
                messages.Add(current.Message);
            }
        }

        var text = string.Join(" → ", messages);
        return text.Length <= 1000 ? text : text[..1000] + "…";
    }

    private sealed record Entry(string ContentKey, VersionLoad Load);
}
