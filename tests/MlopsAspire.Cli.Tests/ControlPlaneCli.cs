using System.Text.Json;
using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Cli.Tests;

/// <summary>The CLI pointed at an in-process control plane, with a folder for the files it is given.</summary>
internal sealed class ControlPlaneCli(ControlPlaneHost host) : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("mlops-cli-").FullName;

    /// <summary>Writes a small real ONNX model (y = x + bias, input x FP32 [-1, 4]) and returns its path.</summary>
    public string WriteModel(string fileName, float bias)
    {
        var path = Path.Combine(Folder, fileName);
        File.WriteAllBytes(path, TestOnnxModels.AddBias(bias));
        return path;
    }

    public string WriteFile(string fileName, string text)
    {
        var path = Path.Combine(Folder, fileName);
        File.WriteAllText(path, text);
        return path;
    }

    public Task<CliRun> RunAsync(string apiKey, params string[] args) =>
        CliRun.RunAsync(Environment(apiKey), args);

    public Task<CliRun> RunOnTerminalAsync(string apiKey, params string[] args) =>
        CliRun.RunAsync(Environment(apiKey), outputIsTerminal: true, args);

    public async Task<CliRun> SucceedsAsync(string apiKey, params string[] args)
    {
        var run = await RunAsync(apiKey, args);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Error);
        return run;
    }

    /// <summary>Runs a command with <c>--output json</c>: it succeeds, and all of standard output is one JSON document.</summary>
    public async Task<JsonElement> JsonAsync(string apiKey, params string[] args)
    {
        var run = await SucceedsAsync(apiKey, [.. args, "--output", "json"]);
        using var document = JsonDocument.Parse(run.Output);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return document.RootElement.Clone();
    }

    public static void AssertOneErrorLine(CliRun run, string expected)
    {
        Assert.True(run.ExitCode != 0, run.ToString());
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(expected, line);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    private Dictionary<string, string?> Environment(string apiKey) =>
        new() { ["MLOPS_SERVER"] = host.Address, ["MLOPS_API_KEY"] = apiKey };
}
