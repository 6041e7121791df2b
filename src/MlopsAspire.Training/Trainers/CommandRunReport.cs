namespace MlopsAspire.Training.Trainers;

/// <summary>What an external command trainer did: its exit code, how long it ran against its limit, and its stderr's tail.</summary>
/// <param name="ExitCode">Null when it was stopped before it exited.</param>
/// <param name="TimedOut">It ran past <paramref name="TimeLimit"/> and its process tree was killed.</param>
public sealed record CommandRunReport(
    string Command,
    int? ExitCode,
    TimeSpan Elapsed,
    TimeSpan TimeLimit,
    bool TimedOut,
    string StandardErrorTail)
{
    public override string ToString()
    {
        var outcome = TimedOut
            ? $"was stopped after its time limit of {TimeLimit} (process tree killed)"
            : $"exited with code {ExitCode} after {Elapsed.TotalSeconds:F1} s (limit {TimeLimit})";
        return StandardErrorTail.Length == 0 ? $"command '{Command}' {outcome}" : $"command '{Command}' {outcome}; stderr: {StandardErrorTail}";
    }
}
