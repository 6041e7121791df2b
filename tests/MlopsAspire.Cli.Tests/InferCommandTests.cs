using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Cli.Tests;

/// <summary>`mlops infer` against a real inference replica serving a model from a local folder.</summary>
public sealed class InferCommandTests : IAsyncLifetime
{
    private const string ModelName = "add-one";
    private readonly string _modelRoot = Directory.CreateTempSubdirectory("mlops-cli-infer-").FullName;
    private WebApplication? _app;
    private string _address = "";

    public async Task InitializeAsync()
    {
        var folder = Path.Combine(_modelRoot, ModelName, "1");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, "model.onnx"), TestOnnxModels.AddBias(1f));
        (_app, _address) = await LocalInferenceReplica.StartAsync(_modelRoot);
    }

    [Fact]
    public async Task Infer_prints_each_output_per_row()
    {
        var run = await RunUntilServedAsync("infer", ModelName, "--json", "[[1, 2, 3, 4], [0.5, 0, -1, 10]]", "--infer-server", _address);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"{ModelName} version 1", run.Output);
        Assert.Contains("2, 3, 4, 5", run.Output);
        Assert.Contains("1.5, 1, 0, 11", run.Output);
    }

    [Fact]
    public async Task Infer_with_json_output_prints_the_response_with_its_outputs_as_numbers()
    {
        var run = await RunUntilServedAsync("infer", ModelName, "--json", "[[1, 2, 3, 4], [0.5, 0, -1, 10]]", "--infer-server", _address, "--output", "json");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Error);
        using var document = JsonDocument.Parse(run.Output);
        var response = document.RootElement;
        Assert.Equal(ModelName, response.GetProperty("model_name").GetString());
        Assert.Equal("1", response.GetProperty("model_version").GetString());
        Assert.Equal(0, response.GetProperty("raw_output_contents").GetArrayLength());
        var output = Assert.Single(response.GetProperty("outputs").EnumerateArray());
        Assert.Equal(TestOnnxModels.OutputName, output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([2, 4], output.GetProperty("shape").EnumerateArray().Select(dimension => long.Parse(dimension.GetString()!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([2, 3, 4, 5, 1.5, 1, 0, 11], output.GetProperty("contents").GetProperty("fp32_contents").EnumerateArray().Select(value => value.GetDouble()));
    }

    [Fact]
    public async Task Bad_rows_and_unknown_models_are_one_line_errors()
    {
        var wrongWidth = await RunUntilServedAsync("infer", ModelName, "--json", "[[1, 2]]", "--infer-server", _address);
        Assert.Equal(1, wrongWidth.ExitCode);
        Assert.Contains("takes rows of 4 numbers", wrongWidth.Error);

        var notJson = await CliRun.RunAsync(new Dictionary<string, string?>(), "infer", ModelName, "--json", "[[1, 2", "--infer-server", _address);
        Assert.Equal(1, notJson.ExitCode);
        Assert.StartsWith("error: --json is not valid JSON", notJson.Error);

        var unknown = await CliRun.RunAsync(new Dictionary<string, string?>(), "infer", "nope", "--json", "[1]", "--infer-server", _address);
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("error: not found:", unknown.Error);
        Assert.Contains("nope", unknown.Error);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_modelRoot, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    /// <summary>The replica loads its folder in the background; retry while the model is not there yet.</summary>
    private static async Task<CliRun> RunUntilServedAsync(params string[] args)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await CliRun.RunAsync(new Dictionary<string, string?>(), args);
            if (!run.Error.Contains("not found", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(200);
        }
    }
}
