using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Onnx;
using MlopsAspire.Training.Retraining;
using MlopsAspire.Training.Trainers;

namespace MlopsAspire.Training.Tests;

/// <summary>
/// The command trainer with the commands an administrator would allow-list: the logistic-regression command shipped
/// with the tests (train.sh), and commands that fail in each way a command can.
/// </summary>
public sealed class CommandTrainerTests : IDisposable
{
    private static readonly string TrainScript = Path.Combine(AppContext.BaseDirectory, "train.sh");
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    private readonly string _workRoot = Directory.CreateTempSubdirectory("mlops-command-tests-").FullName;
    private readonly FakeTimeProvider _time = new();
    private readonly TrainerCatalog _catalog;

    public CommandTrainerTests()
    {
        _catalog = new TrainerCatalog(new Dictionary<string, CommandTrainerOptions>
        {
            ["logistic"] = Bash([TrainScript, "{data}", "{parent}", "{output}", "--label", "{label}"]),
            ["weak"] = Bash([TrainScript, "{data}", "{parent}", "{output}", "--label", "{label}", "--iterations", "0"]),
            ["crash"] = Bash(["-c", "echo 'reading the data' >&2; echo 'boom: column wind is empty' >&2; exit 3", "crash", "{output}"]),
            ["garbage"] = Bash(["-c", "printf 'not an onnx model' > \"$1\"", "garbage", "{output}"]),
            ["slow"] = Bash(["-c", "sleep 600 & echo $! > \"$1/child.pid\"; touch \"$1/started\"; wait", "slow", "{work}", "{output}"]),
        }, _time, _workRoot);
    }

    public void Dispose() => Directory.Delete(_workRoot, recursive: true);

    [Fact]
    public async Task The_allow_listed_command_trains_on_the_csv_and_its_candidate_beats_the_parent_on_the_holdout()
    {
        var contract = Contract("logistic");
        var parent = ParentModels.Binary([0, 0, 0]);

        var outcome = await Retrain(contract, parent);

        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.True(outcome.CandidateMetrics!.Primary > 0.75, outcome.Reason);
        Assert.True(double.IsNaN(outcome.ParityMaxDifference), "a command has no in-process predictor to compare with");
        var command = outcome.Command!;
        Assert.Equal(("logistic", 0, false, Limit), (command.Command, command.ExitCode, command.TimedOut, command.TimeLimit));
        Assert.Equal("fitted 3 weights on 1200 rows in 300 iterations", command.StandardErrorTail);
        Assert.Equal(0, outcome.Metrics()["command_exit_code"]);
        using var parentModel = OnnxModelScorer.Load(parent, "parent");
        using var candidate = OnnxModelScorer.Load(outcome.OnnxModel!, "candidate");
        Assert.Equal(parentModel.Outputs, candidate.Outputs);
        Assert.Empty(Directory.GetFileSystemEntries(_workRoot));
    }

    [Fact]
    public void A_command_the_worker_did_not_allow_list_keeps_the_run_from_starting()
    {
        var error = Assert.Throws<TrainerUnavailableException>(() => _catalog.Resolve(Contract("rm-rf")));
        Assert.Equal("command 'rm-rf' is not allow-listed on this worker (Training:Commands); allow-listed: crash, garbage, logistic, slow, weak", error.Message);
        var none = Assert.Throws<TrainerUnavailableException>(() => TrainerCatalog.BuiltIn.Resolve(Contract("logistic")));
        Assert.Equal("command 'logistic' is not allow-listed on this worker: it allow-lists no commands (Training:Commands)", none.Message);
    }

    [Fact]
    public async Task A_command_that_fails_is_reported_with_its_exit_code_and_the_tail_of_its_stderr()
    {
        var outcome = await Retrain(Contract("crash"), ParentModels.Binary([0, 0, 0]));

        Assert.False(outcome.Succeeded);
        Assert.StartsWith("command 'crash' exited with code 3 after ", outcome.Reason);
        Assert.EndsWith("stderr: reading the data | boom: column wind is empty", outcome.Reason);
        Assert.Equal(3, outcome.Command!.ExitCode);
        Assert.Equal(3, outcome.Metrics()["command_exit_code"]);
    }

    [Fact]
    public async Task A_model_file_onnx_runtime_cannot_load_is_refused()
    {
        var outcome = await Retrain(Contract("garbage"), ParentModels.Binary([0, 0, 0]));

        Assert.False(outcome.Succeeded);
        Assert.StartsWith("the candidate is not a model ONNX Runtime can load: ", outcome.Reason);
        Assert.Contains("command 'garbage' exited with code 0", outcome.Reason);
        Assert.Equal(0, outcome.Command!.ExitCode);
    }

    [Fact]
    public async Task A_candidate_that_does_not_beat_its_parent_on_rows_the_command_never_saw_is_refused()
    {
        var outcome = await Retrain(Contract("weak"), ParentModels.Binary([2, -1, 0.5f]));

        Assert.False(outcome.Succeeded);
        Assert.StartsWith("worse than the parent on the same holdout: AUC 0.5000 vs parent 0.8", outcome.Reason);
        Assert.Equal(0, outcome.Command!.ExitCode);
    }

    [Fact]
    public async Task A_command_past_its_time_limit_has_its_process_tree_killed()
    {
        var run = Retrain(Contract("slow"), ParentModels.Binary([0, 0, 0]));
        var started = await WaitForFileAsync("started");
        var child = int.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(started)!, "child.pid")).Trim(), CultureInfo.InvariantCulture);
        Assert.True(IsAlive(child));

        _time.Advance(Limit);
        var outcome = await run.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.False(outcome.Succeeded);
        Assert.Equal($"command 'slow' was stopped after its time limit of {Limit} (process tree killed)", outcome.Reason);
        Assert.True(outcome.Command!.TimedOut);
        Assert.Null(outcome.Command.ExitCode);
        Assert.Equal(1, outcome.Metrics()["command_timed_out"]);
        // Waits for the child's death; the deadline is a safety net only.
        var giveUp = DateTime.UtcNow.AddSeconds(30);
        while (IsAlive(child) && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(50);
        }

        Assert.False(IsAlive(child), $"the command's child process {child} outlived it");
    }

    private Task<RetrainingOutcome> Retrain(ModelContract contract, byte[] parent) =>
        new Retrainer(BuiltInTrainerTests.SmallRuns).RetrainAsync(contract, parent, TabularData.Binary(1500, seed: 31), _catalog.Resolve(contract), 7, CancellationToken.None);

    private static CommandTrainerOptions Bash(List<string> arguments) => new() { Executable = "bash", Arguments = arguments, TimeLimit = Limit };

    private static ModelContract Contract(string command) => ModelContractReader.Parse($$"""
        { "task": "binary-classification", "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"] } },
          "outputs": { "score": "p" }, "training": { "trainer": "command", "command": "{{command}}", "label": "rain" } }
        """);

    private async Task<string> WaitForFileAsync(string name)
    {
        // Waits for the file; the deadline is a safety net only.
        var giveUp = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < giveUp)
        {
            if (Directory.GetFiles(_workRoot, name, SearchOption.AllDirectories) is [var path])
            {
                return path;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the command never wrote '{name}'");
    }

    /// <summary>Running or sleeping; a zombie waiting to be reaped is dead.</summary>
    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
