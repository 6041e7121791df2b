using System.Globalization;

namespace MlopsAspire.Store;

/// <summary>
/// What the embedded Garnet server needs to know, and how that maps onto Garnet's own
/// command-line options. Everything the platform relies on (Lua, AOF, recovery) is always on;
/// only placement, tuning and the password are configurable.
/// </summary>
public sealed class EmbeddedGarnetOptions
{
    public const string PortVariable = "GARNET_PORT";
    public const string BindVariable = "GARNET_BIND";
    public const string DataDirectoryVariable = "GARNET_DATA_DIR";
    public const string AofCommitFrequencyVariable = "GARNET_AOF_COMMIT_MS";
    public const string CheckpointFrequencyVariable = "GARNET_CHECKPOINT_SECONDS";
    public const string MemoryVariable = "GARNET_MEMORY";
    public const string PasswordVariable = "GARNET_PASSWORD";
    public const string ShutdownGraceVariable = "GARNET_SHUTDOWN_GRACE_MS";

    /// <summary>Relative to the working directory; the AppHost passes an absolute path instead.</summary>
    public const string DefaultDataDirectory = ".data/garnet";

    public int Port { get; set; } = 6379;

    /// <summary>
    /// Loopback by default: the Redis protocol is cleartext, so even with a password the store must not be
    /// reachable from other machines.
    /// </summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The password every client must send (AUTH) before any other command; null accepts anyone. It never
    /// appears in <see cref="ToGarnetArguments"/>, so it cannot leak through a printed command line.
    /// </summary>
    public string? Password { get; set; }

    public string DataDirectory { get; set; } = Path.GetFullPath(DefaultDataDirectory);

    /// <summary>
    /// 0 issues an AOF commit (flush to disk) after every write: a killed process loses at most the
    /// writes whose flush was still in flight. Artifact chunks are large and rare, so the cost is small.
    /// </summary>
    public int AofCommitFrequencyMs { get; set; }

    /// <summary>A checkpoint bounds AOF growth and replay time on restart; 0 disables periodic checkpoints.</summary>
    public int CheckpointFrequencySeconds { get; set; } = 300;

    /// <summary>In-memory part of the main log; older records spill to <see cref="LogDirectory"/>.</summary>
    public string Memory { get; set; } = "1g";

    /// <summary>
    /// Asked to stop, the store serves on until its other clients have disconnected, for at most this long. Aspire
    /// kills a resource about six seconds after asking it to stop; four seconds leave room for the checkpoint.
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(4);

    public string LogDirectory => Path.Combine(DataDirectory, "log");

    public string CheckpointDirectory => Path.Combine(DataDirectory, "checkpoints");

    /// <summary>Reads GARNET_* variables; missing or empty ones keep their defaults.</summary>
    public static EmbeddedGarnetOptions FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var options = new EmbeddedGarnetOptions();

        if (NonEmpty(read(PortVariable)) is { } port)
            options.Port = ParseInt(PortVariable, port, min: 1, max: 65535);
        if (NonEmpty(read(BindVariable)) is { } bind)
            options.BindAddress = bind;
        if (NonEmpty(read(DataDirectoryVariable)) is { } dataDirectory)
            options.DataDirectory = Path.GetFullPath(dataDirectory);
        if (NonEmpty(read(AofCommitFrequencyVariable)) is { } commit)
            options.AofCommitFrequencyMs = ParseInt(AofCommitFrequencyVariable, commit, min: 0, max: int.MaxValue);
        if (NonEmpty(read(CheckpointFrequencyVariable)) is { } checkpoint)
            options.CheckpointFrequencySeconds = ParseInt(CheckpointFrequencyVariable, checkpoint, min: 0, max: int.MaxValue);
        if (NonEmpty(read(MemoryVariable)) is { } memory)
            options.Memory = memory;
        if (NonEmpty(read(PasswordVariable)) is { } password)
            options.Password = password;
        if (NonEmpty(read(ShutdownGraceVariable)) is { } grace)
            options.ShutdownGrace = TimeSpan.FromMilliseconds(ParseInt(ShutdownGraceVariable, grace, min: 0, max: 600_000));

        return options;
    }

    /// <summary>The Garnet command line these options stand for.</summary>
    public string[] ToGarnetArguments() =>
    [
        "--port", Port.ToString(CultureInfo.InvariantCulture),
        "--bind", BindAddress,
        // Orleans Redis clustering and grain storage run their operations through EVAL.
        "--lua",
        // Records beyond Memory live in the hybrid log on disk instead of being dropped.
        "--storage-tier",
        "--logdir", LogDirectory,
        "--memory", Memory,
        "--checkpointdir", CheckpointDirectory,
        // The default (native) device needs libaio, which many Linux hosts lack; this one is managed code.
        "--device-type", "RandomAccess",
        // Write-ahead log of every write, replayed on top of the latest checkpoint at start.
        "--aof",
        "--aof-commit-freq", AofCommitFrequencyMs.ToString(CultureInfo.InvariantCulture),
        "--checkpoint-freq", CheckpointFrequencySeconds.ToString(CultureInfo.InvariantCulture),
        "--recover",
        // A store that silently starts empty after a failed recovery would look like data loss.
        "--fail-on-recovery-error",
    ];

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int ParseInt(string variable, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) || parsed < min || parsed > max)
            throw new FormatException($"{variable} must be an integer between {min} and {max}, but was '{value}'.");
        return parsed;
    }
}
