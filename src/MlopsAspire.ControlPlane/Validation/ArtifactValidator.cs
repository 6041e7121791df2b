using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MlopsAspire.Abstractions;
using MlopsAspire.ValidationSandbox;

namespace MlopsAspire.ControlPlane.Validation;

/// <summary>
/// Decides whether an uploaded artifact can be served, without running it in the control plane: the artifact is
/// written alone into an empty folder and checked by a separate process (<see cref="SandboxedModelCheck"/>) that loads
/// it from that file as a replica does, with the version's serving configuration, under a memory limit and a time
/// limit (<see cref="ValidationOptions"/>). The child gets a bare environment, so it sees no credential of the
/// control plane, and is killed with everything it started when it runs out of time.
/// </summary>
public sealed partial class ArtifactValidator : IDisposable
{
    private const int MaxVerdictBytes = 1024 * 1024;
    private const int StandardErrorTail = 2000;

    private readonly ValidationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ArtifactValidator> _logger;
    private readonly SemaphoreSlim _slots;
    private readonly Lazy<SandboxCommand> _command;

    public ArtifactValidator(IOptions<ValidationOptions> options, TimeProvider time, ILogger<ArtifactValidator> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrent));
        _command = new Lazy<SandboxCommand>(() => SandboxCommand.Locate(_options.SandboxPath));
    }

    /// <summary>Validates <paramref name="onnx"/> as version <paramref name="modelName"/> would be served with <paramref name="servingConfigJson"/>.</summary>
    public async Task<ArtifactCheck> CheckAsync(string modelName, ReadOnlyMemory<byte> onnx, string? servingConfigJson, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        var folder = Directory.CreateTempSubdirectory("mlops-validation-");
        try
        {
            var modelPath = Path.Combine(folder.FullName, "model.onnx");
            await File.WriteAllBytesAsync(modelPath, onnx, cancellationToken);
            return await RunSandboxAsync(modelName, modelPath, folder.FullName, servingConfigJson ?? "", cancellationToken);
        }
        finally
        {
            _slots.Release();
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException exception)
            {
                LogFolderNotDeleted(exception, folder.FullName);
            }
        }
    }

    public void Dispose() => _slots.Dispose();

    private async Task<ArtifactCheck> RunSandboxAsync(string modelName, string modelPath, string folder, string servingConfigJson, CancellationToken cancellationToken)
    {
        var command = _command.Value;
        var start = new ProcessStartInfo(command.FileName)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.LeadingArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add("--model");
        start.ArgumentList.Add(modelPath);
        start.ArgumentList.Add("--name");
        start.ArgumentList.Add(modelName);
        start.ArgumentList.Add("--memory-limit");
        start.ArgumentList.Add(_options.MemoryLimitBytes.ToString(CultureInfo.InvariantCulture));
        SetEnvironment(start.Environment);

        using var process = new Process { StartInfo = start };
        var stopwatch = Stopwatch.StartNew();
        process.Start();
        var verdictText = ReadBoundedAsync(process.StandardOutput.BaseStream, MaxVerdictBytes);
        var errorText = ReadTailAsync(process.StandardError);
        try
        {
            await process.StandardInput.WriteAsync(servingConfigJson);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child is gone already; its exit says why.
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timedOut = false;
        try
        {
            var exited = process.WaitForExitAsync(deadline.Token);
            var timeLimit = Task.Delay(_options.TimeLimit, _time, deadline.Token);
            if (await Task.WhenAny(exited, timeLimit) == timeLimit && !timeLimit.IsCanceled)
            {
                timedOut = true;
            }
            else
            {
                await exited;
            }
        }
        finally
        {
            await deadline.CancelAsync();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }

        var stdout = await verdictText;
        var stderr = await errorText;
        LogSandboxFinished(modelName, process.ExitCode, stopwatch.Elapsed.TotalMilliseconds);
        if (timedOut)
        {
            return ArtifactCheck.Refuse(ArtifactRefusal.OverLimit,
                $"Validating the artifact took longer than the validation time limit of {_options.TimeLimit.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s (Validation:TimeLimit); it was stopped and nothing was registered.");
        }

        if (process.ExitCode == 0 && TryParse(stdout) is { } verdict)
        {
            return ToCheck(verdict);
        }

        return ArtifactCheck.Refuse(ArtifactRefusal.NotLoadable,
            $"The validation process ended with exit code {process.ExitCode} before reaching a verdict, so the artifact is refused and nothing was registered: {stderr.Trim()}");
    }

    private static ArtifactCheck ToCheck(SandboxVerdict verdict)
    {
        var inputs = verdict.Inputs.Select(ToSignature).ToArray();
        var outputs = verdict.Outputs.Select(ToSignature).ToArray();
        var latencies = new Dictionary<int, double>(verdict.LatencyMillisecondsByBatchSize);
        return verdict.Outcome switch
        {
            SandboxOutcome.Passed => new ArtifactCheck(new ValidationReport(true, verdict.Detail, inputs, outputs, latencies)),
            SandboxOutcome.SmokeFailed => new ArtifactCheck(new ValidationReport(false, verdict.Detail, inputs, outputs, latencies)),
            SandboxOutcome.InvalidConfiguration => ArtifactCheck.Refuse(ArtifactRefusal.InvalidConfiguration,
                $"The config is refused: {verdict.Detail}. Nothing was registered."),
            SandboxOutcome.MemoryLimit => ArtifactCheck.Refuse(ArtifactRefusal.OverLimit,
                $"Validation refused the artifact: {verdict.Detail} (Validation:MemoryLimitBytes). Nothing was registered."),
            _ => ArtifactCheck.Refuse(ArtifactRefusal.NotLoadable,
                $"The artifact is not a model ONNX Runtime can load; nothing was registered. {verdict.Detail}"),
        };
    }

    private static readonly string[] KeptVariables = ["PATH", "HOME", "TMPDIR", "DOTNET_ROOT", "LANG"];

    /// <summary>
    /// Only what the runtime needs: the child must not see the control plane's keys and connection strings. The GC's
    /// hard limit caps its managed heap, which the address-space cap cannot see (the heap's range is reserved at
    /// start); one malloc arena keeps glibc from reserving 64 MiB per thread out of the model's share.
    /// </summary>
    private void SetEnvironment(IDictionary<string, string?> environment)
    {
        var kept = KeptVariables
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(variable => variable.Value is not null)
            .ToList();
        environment.Clear();
        foreach (var (name, value) in kept)
        {
            environment[name] = value;
        }

        environment["DOTNET_GCHeapHardLimit"] = "0x" + _options.MemoryLimitBytes.ToString("X", CultureInfo.InvariantCulture);
        environment["DOTNET_gcServer"] = "0";
        environment["MALLOC_ARENA_MAX"] = "1";
    }

    private static SandboxVerdict? TryParse(string stdout)
    {
        try
        {
            return JsonSerializer.Deserialize(stdout, SandboxJson.Default.SandboxVerdict);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes and drains the rest, so a chatty child cannot grow the control plane.</summary>
    private static async Task<string> ReadBoundedAsync(Stream stream, int limit)
    {
        var kept = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            var room = (int)Math.Min(read, limit - kept.Length);
            if (room > 0)
            {
                kept.Write(buffer, 0, room);
            }
        }

        return Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }

    /// <summary>The last characters the child wrote to standard error: where the runtime says why it died.</summary>
    private static async Task<string> ReadTailAsync(StreamReader reader)
    {
        var tail = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            tail.Append(buffer, 0, read);
            if (tail.Length > 2 * StandardErrorTail)
            {
                tail.Remove(0, tail.Length - StandardErrorTail);
            }
        }

        return tail.Length > StandardErrorTail ? tail.ToString(tail.Length - StandardErrorTail, StandardErrorTail) : tail.ToString();
    }

    private static TensorSignature ToSignature(SandboxTensor tensor) => new(tensor.Name, tensor.Datatype, [.. tensor.Shape]);

    [LoggerMessage(Level = LogLevel.Information, Message = "Validation sandbox for {Model} exited with {ExitCode} after {ElapsedMs:0} ms")]
    private partial void LogSandboxFinished(string model, int exitCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the validation folder {Folder}")]
    private partial void LogFolderNotDeleted(Exception exception, string folder);
}
