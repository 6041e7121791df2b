using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>The naive server's sessions by model name; disposed with its host's service provider.</summary>
public sealed class NaiveModelSessions(int lanes) : IDisposable
{
    private readonly Dictionary<string, InferenceSession> _sessions = new(StringComparer.Ordinal);

    public RunOptions RunOptions { get; } = new();

    /// <summary>Runs allowed at once, so the naive server uses the cores the other contenders get and no more.</summary>
    public SemaphoreSlim Lanes { get; } = new(lanes, lanes);

    public void Add(string modelName, InferenceSession session) => _sessions.Add(modelName, session);

    public bool TryGet(string modelName, out InferenceSession session) => _sessions.TryGetValue(modelName, out session!);

    public void Dispose()
    {
        foreach (var session in _sessions.Values)
        {
            session.Dispose();
        }

        RunOptions.Dispose();
        Lanes.Dispose();
    }
}
