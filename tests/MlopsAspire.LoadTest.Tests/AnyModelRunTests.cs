using MlopsAspire.Inference.Tests;
using MlopsAspire.LoadTest.Cli;
using MlopsAspire.LoadTest.Reports;

namespace MlopsAspire.LoadTest.Tests;

/// <summary>
/// Short real runs of a model the tool knows nothing of: an ONNX model the test writes into a folder, served by an
/// in-process replica over that folder. They assert what the run did, never how fast.
/// </summary>
public sealed class AnyModelRunTests : IDisposable
{
    private const int OnnxInt64 = 7;

    private readonly string _output = Path.Combine(Path.GetTempPath(), "mlopsaspire-loadtest-tests", Guid.NewGuid().ToString("N"));

    private string ModelFolder
    {
        get
        {
            var folder = Path.Combine(_output, "models");
            Directory.CreateDirectory(Path.Combine(folder, "churn", "1"));
            File.WriteAllBytes(Path.Combine(folder, "churn", "1", "model.onnx"), IdentityModels.Create(OnnxInt64, "tokens", "echo", [-1, -1]));
            return folder;
        }
    }

    [Fact]
    public async Task A_model_of_the_users_own_is_measured_unary_and_streamed_from_its_metadata()
    {
        var console = new StringWriter();
        string[] args = ["model:churn", "model-stream:churn", "--set", $"Inference:ModelRepository={ModelFolder}", "--batch-size", "3", "--shape", "tokens:3,5",
            "--concurrency", "4", "--duration", "0.5s", "--warmup", "0.2s", "--max-warmup", "1s", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, CancellationToken.None);

        Assert.True(exitCode == 0, console.ToString());
        var report = JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName)));
        Assert.Equal(["model:churn", "model-stream:churn"], report.Runs.Select(run => run.Name));
        Assert.All(report.Runs, run =>
        {
            Assert.Equal("churn", run.Model);
            Assert.True(run.Succeeded > 0, $"{run.Name}: nothing answered");
            Assert.Equal(0, run.Failed);
            // Three rows a request: the replica's own statistics count rows.
            Assert.Equal(3 * run.Succeeded, run.ServerBatching?.Inferences);
            Assert.Equal("default (of 1)", run.Details["model version"]);
            Assert.Equal("3", run.Details["batch"]);
            Assert.Contains("random from the model's metadata (seed 1, 16 distinct requests): tokens INT64 [3,5]", run.Details["inputs"], StringComparison.Ordinal);
            Assert.Equal(Path.GetFullPath(Path.Combine(_output, "models")), run.Details["model repository"]);
        });
    }

    [Fact]
    public async Task A_request_body_is_sent_as_given_and_the_report_names_the_file()
    {
        var body = Path.Combine(_output, "body.json");
        var folder = ModelFolder;
        await File.WriteAllTextAsync(body, """{ "inputs": [ { "name": "tokens", "shape": [2, 2], "datatype": "INT64", "data": [[101, 7], [7, 102]] } ] }""");
        var console = new StringWriter();
        string[] args = ["model:churn", "--set", $"Inference:ModelRepository={folder}", "--model-version", "1", "--input-data", body,
            "--concurrency", "2", "--duration", "0.5s", "--warmup", "0.2s", "--max-warmup", "1s", "--no-progress", "--out", _output];

        var exitCode = await LoadTestCommand.RunAsync(args, console, console, TimeProvider.System, CancellationToken.None);

        Assert.True(exitCode == 0, console.ToString());
        var run = Assert.Single(JsonReportWriter.Read(await File.ReadAllTextAsync(Path.Combine(_output, ReportFiles.JsonName))).Runs);
        Assert.Equal(0, run.Failed);
        Assert.Equal(2 * run.Succeeded, run.ServerBatching?.Inferences);
        Assert.Equal("1", run.Details["model version"]);
        Assert.Equal("body.json as given: tokens INT64 [2,2]", run.Details["inputs"]);
    }

    [Fact]
    public async Task A_model_the_target_does_not_serve_fails_naming_the_target_and_what_it_serves()
    {
        var console = new StringWriter();
        var error = new StringWriter();
        string[] args = ["model:fraud", "--set", $"Inference:ModelRepository={ModelFolder}", "--concurrency", "1", "--duration", "0.5s", "--no-progress"];

        var exitCode = await LoadTestCommand.RunAsync(args, console, error, TimeProvider.System, CancellationToken.None);

        Assert.Equal(LoadTestCommand.RunFailed, exitCode);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: model 'fraud' is not served at 127.0.0.1:", line, StringComparison.Ordinal);
        Assert.Contains("it lists: churn v1 READY", line, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }
}
