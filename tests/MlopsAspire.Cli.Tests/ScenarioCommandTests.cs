namespace MlopsAspire.Cli.Tests;

/// <summary>`mlops scenario drift` refuses bad arguments with one line naming the flag, before it connects anywhere.</summary>
public sealed class ScenarioCommandTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    [Theory]
    [InlineData("--rate", "0", "--rate must be above 0")]
    [InlineData("--rate", "-5", "--rate must be above 0")]
    [InlineData("--rows", "0", "--rows must be between 1 and 10000 rows (got 0)")]
    [InlineData("--drift", "1.5", "--drift must be between 0 and 1 (got 1.5)")]
    [InlineData("--tolerance", "-0.1", "--tolerance must be between 0 and 1")]
    [InlineData("--steady", "6x", "--steady '6x' is not a duration (e.g. 90s, 5m, 250ms or 00:01:30).")]
    [InlineData("--duration", "30s", "--duration must be longer than the steady state (60s)")]
    [InlineData("--steady", "12s", "--steady must cover the warm-up (10s) and at least one bucket (5s)")]
    [InlineData("--bucket", "0s", "--bucket must be positive")]
    [InlineData("--feedback-delay", "-1s", "--feedback-delay must not be negative")]
    [InlineData("--stop-after-recovery", "0", "--stop-after-recovery must be positive when set")]
    [InlineData("--model", " ", "--model must name a model")]
    public async Task Bad_arguments_are_one_line_errors_naming_the_flag(string flag, string value, string message)
    {
        var run = await CliRun.RunAsync(NoEnvironment, "scenario", "drift", flag, value);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: ", run.Error);
        Assert.Contains(message, run.Error);
        Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task Several_problems_are_reported_together()
    {
        var run = await CliRun.RunAsync(NoEnvironment, "scenario", "drift", "--rate", "0", "--rows", "0");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--rate must be above 0", run.Error);
        Assert.Contains("; --rows must be between 1 and 10000", run.Error);
    }

    [Fact]
    public async Task Valid_arguments_go_on_to_need_an_api_key_and_a_reachable_control_plane()
    {
        var noKey = await CliRun.RunAsync(NoEnvironment, "scenario", "drift", "--steady", "20s", "--duration", "1m");
        Assert.Equal(1, noKey.ExitCode);
        Assert.Contains("MLOPS_API_KEY", noKey.Error);

        var unreachable = await CliRun.RunAsync(
            new Dictionary<string, string?> { ["MLOPS_API_KEY"] = "some-key", ["MLOPS_SERVER"] = "http://127.0.0.1:1" },
            "scenario", "drift", "--infer-server", "http://127.0.0.1:1");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.StartsWith("error: cannot reach http://127.0.0.1:1", unreachable.Error);
    }

    [Fact]
    public async Task A_recovery_prints_progress_and_a_summary_and_exits_zero()
    {
        await using var platform = new StandInDriftPlatform { SwitchProductionAfterCalls = 300 };
        await platform.InitializeAsync();

        var run = await RunAgainstAsync(platform, "--duration", "20s", "--stop-after-recovery", "1s");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Drift scenario on fraud: 100 requests/s × 4 rows, concept drift 1 at 2s", run.Output);
        Assert.Contains("production 1, canary none, shadows 2, 2 versions", run.Output);
        Assert.Contains("labels switch to concept drift 1", run.Output);
        Assert.Contains("production 1 → 2", run.Output);
        Assert.Contains("accuracy  ", run.Output);
        Assert.Contains("v1:100%", run.Output);
        Assert.Contains("v2:100%", run.Output);
        Assert.Contains("Unavailable", run.Output);
        Assert.Matches(@"Verdict\s+│\s+recovered", run.Output);

        // Unless told to keep them, the scenario sets the policies that close the loop.
        Assert.Contains("Policies set", run.Output);
        Assert.True(platform.RetrainingPolicies["fraud"].OnAccuracyAlert);
        Assert.True(platform.PromotionPolicies["fraud"].AutoPromote);
        Assert.Equal(0.0, platform.PromotionPolicies["fraud"].MaximumAccuracyDrop);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task Without_a_new_production_version_the_run_is_not_a_recovery_and_exits_two()
    {
        await using var platform = new StandInDriftPlatform();
        await platform.InitializeAsync();

        var run = await RunAgainstAsync(platform, "--duration", "3s");

        Assert.True(run.ExitCode == ScenarioCommands.NotRecoveredExitCode, run.ToString());
        Assert.Contains("not recovered (no new production version took over after drift)", run.Output);
        Assert.Contains("1 (no new version took over)", run.Output);
    }

    [Fact]
    public async Task Help_lists_the_options()
    {
        var run = await CliRun.RunAsync(NoEnvironment, "scenario", "drift", "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var option in new[] { "--rate", "--rows", "--steady", "--duration", "--drift", "--seed", "--feedback-delay", "--stop-after-recovery", "--server", "--infer-server" })
        {
            Assert.Contains(option, run.Output);
        }
    }

    private static Task<CliRun> RunAgainstAsync(StandInDriftPlatform platform, params string[] extra) =>
        CliRun.RunAsync(
            new Dictionary<string, string?> { ["MLOPS_API_KEY"] = StandInDriftPlatform.ApiKey, ["MLOPS_SERVER"] = platform.Address },
            [
                "scenario", "drift", "--infer-server", platform.Address, "--rate", "100", "--rows", "4", "--steady", "2s", "--warmup", "500ms",
                "--bucket", "500ms", "--feedback-delay", "300ms", "--tolerance", "0.05", .. extra,
            ]);

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1.5h", 5400)]
    [InlineData("250ms", 0.25)]
    [InlineData("42", 42)]
    [InlineData(" 2M ", 120)]
    [InlineData("00:01:30", 90)]
    public void Durations_read_the_way_people_type_them(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationText.Parse(text, "--steady"));

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("ten seconds")]
    [InlineData("1e300s")]
    public void Anything_else_is_not_a_duration(string text)
    {
        var error = Assert.Throws<CliException>(() => DurationText.Parse(text, "--duration"));
        Assert.StartsWith($"--duration '{text}' is not a duration", error.Message);
    }
}
