using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MlopsAspire.ModelContracts;

namespace MlopsAspire.Training.Trainers;

/// <summary>
/// Trains with a command an administrator allow-listed by name (<see cref="CommandTrainerOptions"/>). The command is
/// given the training rows as CSV (header: the feature names, then the label column; labels 0/1, class index or value),
/// the parent's ONNX file and its parameters in a folder of its own, and must write an ONNX model with the parent's
/// signature to <c>{output}</c>. It runs with no shell and no standard input; past its time limit its whole process tree
/// is killed. Exit code, run time and the tail of its stderr are reported whatever happens.
/// </summary>
public sealed class CommandTrainer : ITabularTrainer
{
    /// <summary>How much of the end of the command's stderr is kept for the run's record.</summary>
    public const int StandardErrorTailCharacters = 2000;

    /// <summary>The largest model file taken back.</summary>
    public const long MaxModelBytes = 1L << 30;

    private readonly CommandTrainerOptions _options;
    private readonly TimeProvider _time;
    private readonly string _workRoot;

    public CommandTrainer(string commandName, CommandTrainerOptions options, TimeProvider time, string? workRoot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commandName);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate(commandName);
        CommandName = commandName;
        _options = options;
        _time = time;
        _workRoot = workRoot ?? Path.GetTempPath();
    }

    public string Name => TrainerNames.Command;

    /// <summary>The allow-listed name the config gave in <c>training.command</c>.</summary>
    public string CommandName { get; }

    public async Task<TrainedCandidate> TrainAsync(TrainerRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var work = Directory.CreateDirectory(Path.Combine(_workRoot, $"mlops-train-{Guid.NewGuid():N}")).FullName;
        try
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["{data}"] = Path.Combine(work, "data.csv"),
                ["{parent}"] = Path.Combine(work, "parent.onnx"),
                ["{output}"] = Path.Combine(work, "candidate.onnx"),
                ["{parameters}"] = Path.Combine(work, "parameters.json"),
                ["{label}"] = request.Training.Label,
                ["{task}"] = ModelContractReader.NameOf(request.Task),
                ["{work}"] = work,
            };
            await WriteCsvAsync(files["{data}"], request, cancellationToken);
            await File.WriteAllBytesAsync(files["{parent}"], request.ParentOnnxModel, cancellationToken);
            await File.WriteAllTextAsync(files["{parameters}"], JsonSerializer.Serialize(request.Training.Parameters), cancellationToken);

            var report = await RunAsync(work, files, cancellationToken);
            if (report.TimedOut || report.ExitCode != 0)
            {
                throw new TrainingFailedException(report.ToString(), report);
            }

            var output = new FileInfo(files["{output}"]);
            if (!output.Exists)
            {
                throw new TrainingFailedException($"{report}, but wrote no model to {{output}}", report);
            }

            if (output.Length is 0 or > MaxModelBytes)
            {
                throw new TrainingFailedException($"{report}, but its model file has {output.Length} bytes (at most {MaxModelBytes} are taken)", report);
            }

            return new TrainedCandidate(await File.ReadAllBytesAsync(output.FullName, cancellationToken), request.Training.Parameters, null, report);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Left for the temp folder's clean-up: a file still held by a process that outlived its kill.
            }
        }
    }

    private async Task<CommandRunReport> RunAsync(string work, Dictionary<string, string> values, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_options.Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = work,
        };
        foreach (var argument in _options.Arguments)
        {
            start.ArgumentList.Add(values.Aggregate(argument, (text, pair) => text.Replace(pair.Key, pair.Value, StringComparison.Ordinal)));
        }

        using var process = new Process { StartInfo = start };
        var started = _time.GetTimestamp();
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            var report = new CommandRunReport(CommandName, null, TimeSpan.Zero, _options.TimeLimit, false, "");
            throw new TrainingFailedException($"command '{CommandName}' could not be started ({_options.Executable}): {exception.Message}", report);
        }

        process.StandardInput.Close();
        var standardError = new StandardErrorTail(StandardErrorTailCharacters);
        var pumps = Task.WhenAll(standardError.ReadAsync(process.StandardError), process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None));
        using var limit = new CancellationTokenSource(_options.TimeLimit, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            timedOut = true;
        }

        try
        {
            // A descendant that outlived the command may hold its pipes open: wait for the ends only a little.
            await pumps.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
        }

        return new CommandRunReport(
            CommandName,
            timedOut ? null : process.ExitCode,
            _time.GetElapsedTime(started),
            _options.TimeLimit,
            timedOut,
            standardError.Text);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own in the meantime.
        }
    }

    private static async Task WriteCsvAsync(string path, TrainerRequest request, CancellationToken cancellationToken)
    {
        var rows = request.Rows;
        var culture = CultureInfo.InvariantCulture;
        await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        await writer.WriteLineAsync(string.Join(',', request.FeatureNames.Append(request.Training.Label).Select(Quote)).AsMemory(), cancellationToken);
        var line = new StringBuilder();
        for (var row = 0; row < rows.Count; row++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            line.Clear();
            foreach (var value in rows.Row(row))
            {
                line.Append(value.ToString("R", culture)).Append(',');
            }

            var label = rows.Labels[row];
            line.Append(request.Task == ModelTask.Regression ? label.ToString("R", culture) : ((int)label).ToString(culture));
            await writer.WriteLineAsync(line, cancellationToken);
        }
    }

    private static string Quote(string name) =>
        name.AsSpan().IndexOfAny("\",\r\n") < 0 ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Keeps the last characters a stream wrote, as one line.</summary>
    private sealed class StandardErrorTail(int characters)
    {
        private readonly StringBuilder _text = new();

        public string Text
        {
            get
            {
                lock (_text)
                {
                    var text = _text.ToString();
                    text = text.Length > characters ? "…" + text[^characters..] : text;
                    return string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                }
            }
        }

        public async Task ReadAsync(StreamReader reader)
        {
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (_text)
                {
                    _text.Append(buffer, 0, read);
                    if (_text.Length > 4 * characters)
                    {
                        _text.Remove(0, _text.Length - characters);
                    }
                }
            }
        }
    }
}
