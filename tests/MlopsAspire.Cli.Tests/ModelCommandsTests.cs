using MlopsAspire.Abstractions;
using MlopsAspire.ControlPlane.Tests;
using static MlopsAspire.Inference.Tests.Eventually;

namespace MlopsAspire.Cli.Tests;

public sealed class ModelCommandsTests(ControlPlaneHost host) : IClassFixture<ControlPlaneHost>, IDisposable
{
    private readonly ControlPlaneCli _cli = new(host);

    [Fact]
    public async Task Register_list_show_and_the_whole_lifecycle_from_the_command_line()
    {
        var name = ControlPlaneHost.UniqueModelName("cli");
        var first = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel("v1.onnx", 1f), "--description", "first cut");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"Registered {name} version 1: Ready", first.Output);
        Assert.Equal("", first.Error);

        var again = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel("v1-copy.onnx", 1f));
        Assert.Contains("already has this artifact as version 1", again.Output);

        for (var bias = 2; bias <= 3; bias++)
        {
            var registered = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel($"v{bias}.onnx", bias), "--parent", "1");
            Assert.True(registered.ExitCode == 0, registered.ToString());
        }

        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "promote", name, "1", "--reason", "baseline");
        var shadow = await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "shadow", name, "2", "--sample", "0.2");
        Assert.Contains($"{name} version 2 shadows production with sample rate 0.2", shadow.Output);
        var canary = await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "canary", name, "3", "--weight", "10");
        Assert.Contains("is the canary at 10%", canary.Output);

        var list = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "list");
        var row = Assert.Single(list.Output.Split('\n'), line => line.Contains(name, StringComparison.Ordinal));
        Assert.Contains("3 (10%)", row);
        Assert.Contains("2 (0.2)", row);

        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "promote", name, "3");
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "rollback", name, "--reason", "latency regression");
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "retire", name, "3");

        var show = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "show", name);
        Assert.Contains("production: 1", show.Output);
        Assert.Contains("Retired", show.Output);
        Assert.Contains("passed (b1", show.Output);

        var audit = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "audit", name);
        Assert.Contains("rollback", audit.Output);
        Assert.Contains("latency regression", audit.Output);
        Assert.Contains("Production → Ready", audit.Output);
        Assert.Contains("olly-operator", audit.Output);

        var productionHistory = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "audit", name, "--production");
        var stretches = productionHistory.Output.Split('\n').Where(line => line.Contains("olly-operator", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, stretches.Count);
        Assert.Contains("promote", stretches[0]);
        Assert.Contains("baseline", stretches[0]);
        Assert.Contains("rollback", stretches[2]);
        Assert.Contains("now", stretches[2]);

        var newest = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "audit", name, "--newest", "1");
        Assert.Contains("retire", newest.Output);
        Assert.DoesNotContain("baseline", newest.Output);
    }

    [Fact]
    public async Task Failures_print_one_line_to_standard_error_and_exit_non_zero()
    {
        var name = ControlPlaneHost.UniqueModelName("cli");
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel("a.onnx", 1f));
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel("b.onnx", 2f));

        var noKey = await CliRun.RunAsync(new Dictionary<string, string?> { ["MLOPS_SERVER"] = host.Address }, "models", "list");
        AssertOneErrorLine(noKey, "MLOPS_API_KEY");

        var wrongKey = await RunAsync("not-a-key", "models", "list");
        AssertOneErrorLine(wrongKey, "not authenticated");

        var readerPromotes = await RunAsync(ControlPlaneHost.ReaderKey, "models", "promote", name, "1");
        AssertOneErrorLine(readerPromotes, "permission denied: Promote needs the operator role");

        var retireProduction = await RunAsync(ControlPlaneHost.OperatorKey, "models", "rollback", name);
        AssertOneErrorLine(retireProduction, "refused:");

        var unknown = await RunAsync(ControlPlaneHost.ReaderKey, "models", "show", "no-such-model");
        AssertOneErrorLine(unknown, "not found: Model 'no-such-model'");

        var stale = await RunAsync(ControlPlaneHost.OperatorKey, "models", "promote", name, "2", "--expected-revision", "0");
        AssertOneErrorLine(stale, "conflict:");

        var missingFile = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, Path.Combine(_cli.Folder, "missing.onnx"));
        AssertOneErrorLine(missingFile, "missing.onnx' not found");

        var notOnnx = Path.Combine(_cli.Folder, "notes.onnx");
        await File.WriteAllTextAsync(notOnnx, "not a model");
        var rejected = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, notOnnx);
        AssertOneErrorLine(rejected, "invalid: The artifact is not a model ONNX Runtime can load");

        var large = Path.Combine(_cli.Folder, "large.onnx");
        await File.WriteAllBytesAsync(large, new byte[(3 * ControlPlaneHost.MaxArtifactBytes) + 7]);
        var tooLarge = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, large);
        AssertOneErrorLine(tooLarge, "too large:");

        var unreachable = await CliRun.RunAsync(
            new Dictionary<string, string?> { ["MLOPS_API_KEY"] = ControlPlaneHost.ReaderKey },
            "models", "list", "--server", "http://127.0.0.1:1");
        AssertOneErrorLine(unreachable, "cannot reach http://127.0.0.1:1");

        var usage = await RunAsync(ControlPlaneHost.OperatorKey, "models", "canary", name, "2");
        Assert.NotEqual(0, usage.ExitCode);
        Assert.Contains("--weight", usage.Error);
    }

    [Fact]
    public async Task Stats_gates_and_feedback_from_the_command_line()
    {
        var name = ControlPlaneHost.UniqueModelName("monitored");
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel("m1.onnx", 1f));
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel("m2.onnx", 2f));
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "promote", name, "1");
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "shadow", name, "2", "--sample", "0.5");

        var stats = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "stats", name, "--span", "00:10:00");
        Assert.Contains("production", stats.Output);
        Assert.Contains("shadow", stats.Output);
        Assert.Contains("Live metrics", stats.Output);
        // Registered without a config: each version says what monitoring cannot do for it, and which key would fix it.
        Assert.Contains("limit (version 1): live metrics need 'task'", stats.Output);

        var gates = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "gates", name);
        Assert.Contains("2 (shadow) vs 1: undecided", gates.Output);
        Assert.Contains("minimum_rows", gates.Output);

        // A model registered without a config has no task: its labels cannot become live metrics, and it says so.
        AssertOneErrorLine(
            await RunAsync(ControlPlaneHost.OperatorKey, "models", "feedback", name, "--labels", "r1=1,r2=0"),
            $"feedback for '{name}' is not used: live metrics need 'task'");
        AssertOneErrorLine(await RunAsync(ControlPlaneHost.OperatorKey, "models", "feedback", name, "--labels", "r1"), "'r1' is not REQUEST_ID=LABEL");
        AssertOneErrorLine(await RunAsync(ControlPlaneHost.ReaderKey, "models", "feedback", name, "--labels", "r1=1"), "permission denied");
    }

    [Fact]
    public async Task Feedback_sent_again_says_which_requests_were_already_labelled_and_fails_only_on_a_different_label()
    {
        var name = ControlPlaneHost.UniqueModelName("relabel");
        var config = _cli.WriteFile("relabel.json", """{ "task": "regression", "outputs": { "score": { "name": "y", "column": 0 } } }""");
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel("relabel.onnx", 1f), "--config", config);
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "promote", name, "1");
        var at = DateTimeOffset.UtcNow.AddSeconds(-1);
        foreach (var requestId in new[] { "r1", "r2", "r3" })
        {
            await host.Payloads.AppendAsync(new Artifacts.Payloads.PayloadRecord(name, "1", requestId, at, 2, [1, 2], [0.5f]));
        }

        var first = await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "feedback", name, "--labels", "r1=0.5,r2=1.5");
        Assert.Contains("joined 2 of 2; unknown ids: none; already labelled: none", first.Output);

        // A retry of the same labels is no error: the output says they were taken already, not that the requests are unknown.
        var retried = await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "feedback", name, "--labels", "r1=0.5,r2=1.5,r3=2,r4=1");
        Assert.Contains("joined 1 of 4; unknown ids: r4; already labelled: r1, r2", retried.Output);

        // A different label for a labelled request is refused, and the command fails so that a script notices.
        var changed = await RunAsync(ControlPlaneHost.OperatorKey, "models", "feedback", name, "--labels", "r1=0.5,r3=7");
        Assert.Contains("joined 0 of 2; unknown ids: none; already labelled: r1", changed.Output);
        Assert.Contains("request 'r3' was already labelled with a different label; the first label stands", changed.Output);
        AssertOneErrorLine(changed, "1 of 2 labels were rejected");
    }

    [Fact]
    public async Task Show_tells_on_how_many_replicas_each_version_loaded_and_endpoints_where_the_loaded_ones_are_called()
    {
        var name = ControlPlaneHost.UniqueModelName("loads");
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, WriteModel("l1.onnx", 1f));
        AssertOneErrorLine(await RunAsync(ControlPlaneHost.ReaderKey, "models", "endpoints", name), $"refused: Model '{name}' has no production version");
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "promote", name, "1");

        // The second replica cannot write its artifact cache (its folder would sit under a file): it never loads.
        var blocker = Path.Combine(_cli.Folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "");
        await using var healthy = await ControlPlaneReplica.StartAsync(host);
        await using var broken = await ControlPlaneReplica.StartAsync(host, $"--Inference:ArtifactCacheDirectory={Path.Combine(blocker, "cache")}");
        var loads = host.Grains.GetGrain<IModelLoadStatusGrain>(name);
        await Until(async () => (await loads.GetAsync()) is [{ Loaded: 1, Failed: 1 }], "one replica loaded, one failed");

        var show = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "show", name);
        Assert.Contains("1/2 loaded", show.Output);
        var line = Assert.Single(show.Output.Split('\n'), line => line.TrimStart().StartsWith("version 1:", StringComparison.Ordinal));
        Assert.Contains("loaded on 1 of 2 replicas, failed on 1: ", line);
        Assert.Contains("not-a-folder", show.Output);

        // Each replica's load state carries its own gRPC address, the failed one's too.
        var version = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "show", name, "1");
        var reported = version.GetProperty("replica_load").GetProperty("by_replica").EnumerateArray()
            .Select(replica => replica.GetProperty("grpc_address").GetString())
            .Order(StringComparer.Ordinal);
        Assert.Equal(new[] { healthy.GrpcAddress, broken.GrpcAddress }.Order(StringComparer.Ordinal), reported);

        // Clients are sent only to the replica that holds production loaded.
        var table = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "endpoints", name);
        Assert.Contains($"{name} version 1 (production)", table.Output);
        Assert.Contains(healthy.GrpcAddress, table.Output);
        Assert.DoesNotContain(broken.GrpcAddress, table.Output);

        var json = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "endpoints", name);
        Assert.Equal((name, "1"), (json.GetProperty("model_name").GetString(), json.GetProperty("version").GetString()));
        var endpoint = Assert.Single(json.GetProperty("endpoints").EnumerateArray());
        Assert.Equal(healthy.GrpcAddress, endpoint.GetProperty("grpc_address").GetString());

        var addresses = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "endpoints", name, "--addresses");
        Assert.Equal(healthy.GrpcAddress, addresses.Output.Trim());
    }

    [Fact]
    public async Task Register_refuses_a_missing_or_broken_config_before_uploading_and_sends_a_good_one_as_the_versions_document()
    {
        var name = ControlPlaneHost.UniqueModelName("configured");
        var model = WriteModel("configured.onnx", 1f);

        var missing = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, model, "--config", Path.Combine(_cli.Folder, "missing.json"));
        AssertOneErrorLine(missing, "missing.json' not found");

        var notJson = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, model, "--config", _cli.WriteFile("broken.json", "{ \"task\": \"regression\", "));
        AssertOneErrorLine(notJson, "broken.json' is not valid JSON");

        var notObject = await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, model, "--config", _cli.WriteFile("list.json", "[\"regression\"]"));
        AssertOneErrorLine(notObject, "list.json' holds a JSON array; a config document is a JSON object");

        var directory = Directory.CreateDirectory(Path.Combine(_cli.Folder, "folder.json")).FullName;
        AssertOneErrorLine(await RunAsync(ControlPlaneHost.OperatorKey, "models", "register", name, model, "--config", directory), "folder.json' not found");

        // Nothing was uploaded: the model was never created.
        AssertOneErrorLine(await RunAsync(ControlPlaneHost.ReaderKey, "models", "show", name), $"not found: Model '{name}'");

        const string Document = """
            {
              // Comments and trailing commas are allowed, as in a model folder's config.json.
              "task": "regression",
              "inputs": { "x": { "features": ["temp_max", "temp_min", "wind", "humidity"] } },
              "outputs": { "score": { "name": "y", "column": 0 } },
              "max_batch_size": 8,
            }
            """;
        var registered = await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, model, "--config", _cli.WriteFile("model.json", Document));
        Assert.Contains($"Registered {name} version 1: Ready", registered.Output);

        var version = await _cli.JsonAsync(ControlPlaneHost.ReaderKey, "models", "show", name, "1");
        Assert.Equal(Document, version.GetProperty("serving_config_json").GetString());

        var shown = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "show", name, "1");
        Assert.Contains("config document:", shown.Output);
        Assert.Contains("\"features\": [\"temp_max\", \"temp_min\", \"wind\", \"humidity\"]", shown.Output);
        Assert.Contains("inputs:      x FP32 [-1, 4]", shown.Output);

        var model2 = WriteModel("unconfigured.onnx", 2f);
        await SucceedsAsync(ControlPlaneHost.OperatorKey, "models", "register", name, model2);
        var all = await SucceedsAsync(ControlPlaneHost.ReaderKey, "models", "show", name);
        Assert.Contains("config document of version 1:", all.Output);
        Assert.Contains("\"max_batch_size\": 8,", all.Output);
        Assert.Contains("config document of version 2: none", all.Output);
    }

    public void Dispose() => _cli.Dispose();

    private string WriteModel(string fileName, float bias) => _cli.WriteModel(fileName, bias);

    private Task<CliRun> RunAsync(string apiKey, params string[] args) => _cli.RunAsync(apiKey, args);

    private Task<CliRun> SucceedsAsync(string apiKey, params string[] args) => _cli.SucceedsAsync(apiKey, args);

    private static void AssertOneErrorLine(CliRun run, string expected) => ControlPlaneCli.AssertOneErrorLine(run, expected);
}
