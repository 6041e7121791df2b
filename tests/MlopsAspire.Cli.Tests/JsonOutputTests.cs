using System.Text.Json;
using MlopsAspire.ControlPlane.Tests;

namespace MlopsAspire.Cli.Tests;

/// <summary>
/// What scripts rely on: <c>--output json</c> prints the response as one JSON document with the API's proto field
/// names and nothing else, and a table on a piped standard output never wraps a row.
/// </summary>
public sealed class JsonOutputTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>, IDisposable
{
    private readonly ControlPlaneCli _cli = new(host);

    [Fact]
    public async Task Every_read_command_prints_one_json_document_with_the_apis_field_names()
    {
        var name = ControlPlaneHost.UniqueModelName("json");
        var config = _cli.WriteFile("model.json", """{ "task": "regression", "outputs": { "score": { "name": "y", "column": 0 } }, "max_batch_size": 4 }""");
        var registered = await _cli.JsonAsync(ControlPlaneHost.OperatorKey, "models", "register", name, _cli.WriteModel("j1.onnx", 1f), "--config", config);
        Assert.True(registered.GetProperty("created").GetBoolean());
        Assert.Equal("1", registered.GetProperty("version").GetProperty("version").GetString());
        Assert.Equal("MODEL_VERSION_STATE_READY", registered.GetProperty("version").GetProperty("state").GetString());
        await _cli.JsonAsync(ControlPlaneHost.OperatorKey, "models", "register", name, _cli.WriteModel("j2.onnx", 2f));

        var promoted = await _cli.JsonAsync(ControlPlaneHost.OperatorKey, "models", "promote", name, "1", "--reason", "baseline");
        Assert.Equal("MODEL_VERSION_STATE_PRODUCTION", promoted.GetProperty("version").GetProperty("state").GetString());
        Assert.Equal("1", promoted.GetProperty("model").GetProperty("production_version").GetString());
        var shadowed = await _cli.JsonAsync(ControlPlaneHost.OperatorKey, "models", "shadow", name, "2", "--sample", "0.5");
        Assert.Equal(0.5, shadowed.GetProperty("model").GetProperty("shadows")[0].GetProperty("sample_rate").GetDouble());

        var list = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "list");
        var listed = Assert.Single(list.GetProperty("models").EnumerateArray(), model => model.GetProperty("name").GetString() == name);
        Assert.Equal("1", listed.GetProperty("production_version").GetString());
        Assert.Equal("2", listed.GetProperty("shadows")[0].GetProperty("version").GetString());
        Assert.Equal(2, listed.GetProperty("versions").GetArrayLength());

        var model = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "show", name);
        Assert.Equal(name, model.GetProperty("name").GetString());
        var first = model.GetProperty("versions")[0];
        Assert.Equal("""{ "task": "regression", "outputs": { "score": { "name": "y", "column": 0 } }, "max_batch_size": 4 }""", first.GetProperty("serving_config_json").GetString());
        Assert.Equal(JsonValueKind.String, first.GetProperty("task").ValueKind);
        Assert.Equal(JsonValueKind.Array, first.GetProperty("monitoring_limitations").ValueKind);

        var version = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "show", name, "2");
        Assert.Equal("2", version.GetProperty("version").GetString());
        Assert.Equal("x", version.GetProperty("signature").GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.True(version.GetProperty("validation").GetProperty("passed").GetBoolean());
        Assert.Equal("", version.GetProperty("serving_config_json").GetString());

        var audit = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "audit", name);
        var promotion = Assert.Single(audit.GetProperty("events").EnumerateArray(), e => e.GetProperty("action").GetString() == "promote");
        Assert.Equal("olly-operator", promotion.GetProperty("actor").GetString());
        Assert.Equal("baseline", promotion.GetProperty("reason").GetString());

        var stats = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "stats", name, "--span", "00:10:00");
        Assert.Equal(name, stats.GetProperty("model_name").GetString());
        var roles = stats.GetProperty("versions").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!, v => v.GetProperty("role").GetString());
        Assert.Equal("production", roles["1"]);
        Assert.Equal("shadow", roles["2"]);
        // 64-bit integers are strings, as the protobuf JSON mapping writes them.
        Assert.Equal("0", stats.GetProperty("versions")[0].GetProperty("requests").GetString());

        var gates = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "gates", name);
        Assert.Equal(JsonValueKind.String, gates.GetProperty("policy").GetProperty("minimum_rows").ValueKind);
        var verdict = Assert.Single(gates.GetProperty("verdicts").EnumerateArray(), v => v.GetProperty("version").GetString() == "2");
        Assert.False(verdict.GetProperty("decided").GetBoolean());
        Assert.Contains(verdict.GetProperty("checks").EnumerateArray(), check => check.GetProperty("name").GetString() == "minimum_rows");

        var retraining = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "retraining", name);
        Assert.Equal(name, retraining.GetProperty("model_name").GetString());
        Assert.True(retraining.GetProperty("policy").GetProperty("enabled").ValueKind is JsonValueKind.True or JsonValueKind.False);
        Assert.Equal(0, retraining.GetProperty("runs").GetArrayLength());

        var feedback = await _cli.JsonAsync(ControlPlaneHost.OperatorKey, "models", "feedback", name, "--labels", "r1=1");
        Assert.Equal(0, feedback.GetProperty("joined").GetInt32());
        Assert.Equal("r1", feedback.GetProperty("unknown_request_ids")[0].GetString());

        // More labels than one call may carry go in consecutive calls, answered as one.
        var many = string.Join(',', Enumerable.Range(0, Mlops.V1.FeedbackRequest.MaxItems + 1).Select(i => $"m{i}=1"));
        var manyAnswered = await _cli.JsonAsync(ControlPlaneHost.OperatorKey, "models", "feedback", name, "--labels", many);
        Assert.Equal(Mlops.V1.FeedbackRequest.MaxItems + 1, manyAnswered.GetProperty("unknown_request_ids").GetArrayLength());

        // A label the model's contract cannot read is listed, and the command fails, so that a script notices.
        var unreadable = await _cli.RunAsync(ControlPlaneHost.OperatorKey, "models", "feedback", name, "--labels", "r1=1,r2=banana", "--output", "json");
        Assert.Contains("r2", JsonDocument.Parse(unreadable.Output).RootElement.GetProperty("rejected")[0].GetString());
        ControlPlaneCli.AssertOneErrorLine(unreadable, "1 of 2 labels were rejected");

        var refused = await _cli.RunAsync(ControlPlaneHost.ReaderKey, "models", "retire", name, "2", "--output", "json");
        Assert.Equal("", refused.Output);
        ControlPlaneCli.AssertOneErrorLine(refused, "permission denied");
        var security = await _cli.JsonAsync(ControlPlaneHost.AdminKey, "security", "audit", "--limit", "1000");
        var refusal = Assert.Single(security.GetProperty("events").EnumerateArray(), e => e.GetProperty("model_name").GetString() == name);
        Assert.Equal("ann-reader", refusal.GetProperty("caller").GetString());
        Assert.Equal("Retire", refusal.GetProperty("operation").GetString());
        Assert.Equal("permission-denied", refusal.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Failures_with_json_output_leave_standard_output_empty()
    {
        var unknown = await _cli.RunAsync(ControlPlaneHost.ReaderKey, "models", "show", "no-such-model", "--output", "json");
        Assert.Equal("", unknown.Output);
        ControlPlaneCli.AssertOneErrorLine(unknown, "not found: Model 'no-such-model'");

        var usage = await _cli.RunAsync(ControlPlaneHost.ReaderKey, "models", "list", "--output", "yaml");
        Assert.NotEqual(0, usage.ExitCode);
        Assert.Contains("yaml", usage.Error);
        Assert.DoesNotContain("{", usage.Output);
    }

    [Fact]
    public async Task A_piped_table_keeps_each_row_on_one_line_and_a_terminal_keeps_its_width()
    {
        var name = ControlPlaneHost.UniqueModelName("wide");
        var registered = await _cli.SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, _cli.WriteModel("w1.onnx", 1f));
        var reason = string.Join(' ', Enumerable.Repeat("the previous version scored late payments as fraud", 5));
        await _cli.SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "promote", name, "1", "--reason", reason + "\nsee the incident notes");

        var piped = await _cli.SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "audit", name);
        var row = Assert.Single(piped.Output.Split('\n'), line => line.Contains("promote", StringComparison.Ordinal));
        Assert.Contains("olly-operator", row);
        // The audit stores a line break escaped, so no reason can forge a line of its own.
        Assert.Contains($"{reason}\\nsee the incident notes", row);
        Assert.Contains("Ready → Production", row);

        // Nothing is padded out to the unbounded width: each line is as long as its content.
        Assert.All(piped.Output.Split('\n').Concat(registered.Output.Split('\n')), line => Assert.True(line.Length < row.Length + 10, $"{line.Length} characters: {line[..Math.Min(200, line.Length)]}"));

        var terminal = await _cli.RunOnTerminalAsync(ControlPlaneHost.ReaderKey, "models", "audit", name);
        Assert.Equal(0, terminal.ExitCode);
        Assert.DoesNotContain(reason, terminal.Output);
        Assert.All(terminal.Output.Split('\n'), line => Assert.True(line.Length <= CliRun.DefaultWidth, line));
        Assert.Contains("payments", terminal.Output);
    }

    public void Dispose() => _cli.Dispose();
}
