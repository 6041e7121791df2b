using Mlops.V1;

namespace MlopsAspire.Cli.Tests;

/// <summary>What <c>mlops models show</c> prints of a version's task, monitoring limits and config document.</summary>
public sealed class ModelViewTests
{
    private const string Config = """
        { "task": "binary-classification",
          "inputs": { "x": { "features": ["temp_max", "temp_min", "wind"] } } }
        """;

    private static readonly Model Weather = new()
    {
        Name = "weather",
        Revision = 4,
        ProductionVersion = "1",
        Versions =
        {
            Version("1", ModelVersionState.Production, "binary-classification", Config, "accuracy, AUC and log-loss need 'outputs.score'"),
            Version("2", ModelVersionState.Shadow, "binary-classification", Config, "accuracy, AUC and log-loss need 'outputs.score'"),
            Version("3", ModelVersionState.Ready, "", "", "drift names the columns of 'x' input_0, input_1, ...: name them in 'inputs.x.features'", "live metrics need 'task'"),
        },
    };

    [Fact]
    public void A_model_shows_each_versions_task_its_monitoring_limits_and_each_config_document_once()
    {
        var lines = Render(view => view.Write(Weather));

        Assert.Contains(lines, line => Cells(line).SequenceEqual(["1", "Production", "binary-classification"]));
        Assert.Contains(lines, line => Cells(line).SequenceEqual(["3", "Ready", "-"]));
        var limits = lines.IndexOf("monitoring limits of versions 1, 2:");
        Assert.Equal("  - accuracy, AUC and log-loss need 'outputs.score'", lines[limits + 1]);
        var third = lines.IndexOf("monitoring limits of version 3:");
        Assert.Equal("  - drift names the columns of 'x' input_0, input_1, ...: name them in 'inputs.x.features'", lines[third + 1]);
        Assert.Equal("  - live metrics need 'task'", lines[third + 2]);
        var document = lines.IndexOf("config document of versions 1, 2:");
        Assert.Equal("    { \"task\": \"binary-classification\",", lines[document + 1]);
        Assert.Equal("      \"inputs\": { \"x\": { \"features\": [\"temp_max\", \"temp_min\", \"wind\"] } } }", lines[document + 2]);
        Assert.Contains(lines, line => line.StartsWith("config document of version 3: none", StringComparison.Ordinal));
    }

    [Fact]
    public void A_version_shows_its_task_monitoring_limits_and_config_document()
    {
        var lines = Render(view => view.Write(Weather.Versions[0]));

        Assert.Contains("  task:        binary-classification", lines);
        var limits = lines.IndexOf("  monitoring limits:");
        Assert.Equal("    - accuracy, AUC and log-loss need 'outputs.score'", lines[limits + 1]);
        var document = lines.IndexOf("  config document:");
        Assert.Equal("    { \"task\": \"binary-classification\",", lines[document + 1]);

        var undeclared = Render(view => view.Write(new ModelVersion { ModelName = "weather", Version = "9", State = ModelVersionState.Ready }));
        Assert.Contains("  task:        not declared", undeclared);
        Assert.Contains(undeclared, line => line.StartsWith("  config:      none", StringComparison.Ordinal));
    }

    private static ModelVersion Version(string number, ModelVersionState state, string task, string config, params string[] limitations) => new()
    {
        ModelName = "weather",
        Version = number,
        State = state,
        Task = task,
        ArtifactSha256 = new string('a', 64),
        ArtifactSize = 1234,
        ServingConfigJson = config,
        MonitoringLimitations = { limitations },
    };

    private static List<string> Render(Action<ModelView> write)
    {
        var output = new StringWriter();
        var cli = new CliConsole(CliRun.PlainConsole(output), TextWriter.Null, _ => null, outputIsTerminal: false);
        write(new ModelView(cli.Output));
        return [.. output.ToString().ReplaceLineEndings("\n").Split('\n')];
    }

    /// <summary>A table row's first cells, trimmed.</summary>
    private static IEnumerable<string> Cells(string line) =>
        line.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(3);
}
