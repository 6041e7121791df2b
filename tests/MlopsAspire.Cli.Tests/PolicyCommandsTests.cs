using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Cli.Tests;

/// <summary>`mlops models retraining-policy` and `promotion-policy`: an option changes its setting and nothing else.</summary>
public sealed class PolicyCommandsTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>, IDisposable
{
    private readonly ControlPlaneCli _cli = new(host);

    [Fact]
    public async Task Policies_change_option_by_option_and_a_bad_value_is_refused_by_the_control_plane()
    {
        var name = ControlPlaneHost.UniqueModelName("policies");
        await _cli.SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, _cli.WriteModel("p1.onnx", 1f));

        var retraining = await _cli.JsonAsync(ControlPlaneHost.OperatorKey, "models", "retraining-policy", name,
            "--enabled", "true", "--on-accuracy-alert", "true", "--minimum-rows", "3000", "--shadow-sample", "1", "--label-wait", "00:01:00");
        Assert.True(retraining.GetProperty("enabled").GetBoolean());
        Assert.True(retraining.GetProperty("on_accuracy_alert").GetBoolean());
        Assert.Equal(3000, retraining.GetProperty("minimum_rows").GetInt32());
        Assert.Equal("60s", retraining.GetProperty("label_wait").GetString());

        var changed = await _cli.SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "retraining-policy", name, "--cooldown", "00:20:00");
        Assert.Contains("retraining enabled: on accuracy alerts yes", changed.Output);
        Assert.Contains("cool-down 00:20:00", changed.Output);
        Assert.Contains("at least 3000 rows (waiting up to 00:01:00 for them)", changed.Output);

        var promotion = await _cli.JsonAsync(ControlPlaneHost.OperatorKey, "models", "promotion-policy", name,
            "--auto-promote", "true", "--minimum-labelled-rows", "1000", "--maximum-accuracy-drop", "0", "--minimum-shadow-agreement", "-1");
        Assert.True(promotion.GetProperty("auto_promote").GetBoolean());
        Assert.Equal("1000", promotion.GetProperty("minimum_labelled_rows").GetString());
        Assert.Equal(0, promotion.GetProperty("maximum_accuracy_drop").GetDouble());
        Assert.False(promotion.TryGetProperty("minimum_shadow_agreement", out _));

        var shown = await _cli.SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "promotion-policy", name, "--auto-rollback", "true");
        Assert.Contains("agreement no gate", shown.Output);
        Assert.Contains("accuracy drop ≤0", shown.Output);
        Assert.Contains("auto-promote on, auto-rollback on", shown.Output);

        ControlPlaneCli.AssertOneErrorLine(await _cli.RunAsync(ControlPlaneHost.OperatorKey, "models", "retraining-policy", name, "--shadow-sample", "3"), "invalid");
        ControlPlaneCli.AssertOneErrorLine(await _cli.RunAsync(ControlPlaneHost.ReaderKey, "models", "retraining-policy", name, "--enabled", "false"), "permission denied");
        var unchanged = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "retraining", name);
        Assert.True(unchanged.GetProperty("policy").GetProperty("enabled").GetBoolean());
    }

    public void Dispose() => _cli.Dispose();
}
