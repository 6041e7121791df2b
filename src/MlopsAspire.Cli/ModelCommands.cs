using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Mlops.V1;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary><c>mlops models ...</c>: list, show, endpoints, register, shadow, canary, promote, rollback, retire, audit.</summary>
internal sealed class ModelCommands(CliConsole console, ServerConnections connections, Option<string?> server, OutputOption output)
{
    /// <summary>The largest config document <c>register --config</c> sends; real ones are a few kilobytes.</summary>
    internal const long MaxConfigBytes = 1024 * 1024;

    private const int UploadChunkBytes = 1024 * 1024;

    private readonly Argument<string> _name = new("NAME") { Description = "Model name." };
    private readonly Argument<string> _version = new("VERSION") { Description = "Version number, as `models show` lists it." };
    private readonly Option<string> _reason = new("--reason") { Description = "Why; recorded in the audit trail.", DefaultValueFactory = _ => "" };
    private readonly Option<long?> _expectedRevision = new("--expected-revision")
    {
        Description = "Apply only if the model is still at this revision (as `models show` prints it); otherwise fail with a conflict.",
    };

    private IAnsiConsole Out => console.Output;

    public Command Build() => new("models", "Register models and move their versions through the lifecycle.")
    {
        List(), Show(), Endpoints(), Register(), Shadow(), Canary(), Promote(), Rollback(), Retire(), Audit(),
    };

    private Command List()
    {
        var command = new Command("list", "List models with their production, canary and shadow versions.") { output.Option };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var response = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(response);
                return 0;
            }

            if (response.Models.Count == 0)
            {
                Out.MarkupLine("[grey]No models registered.[/]");
                return 0;
            }

            var table = new Table().AddColumns("Model", "Production", "Canary", "Shadows", "Versions", "Revision");
            foreach (var model in response.Models)
            {
                table.AddRow(
                    TableCells.Text(model.Name),
                    TableCells.Dash(model.ProductionVersion),
                    model.Canary is { } canary ? $"{Markup.Escape(canary.Version)} ({canary.WeightPercent}%)" : "-",
                    ModelView.Shadows(model),
                    model.Versions.Count.ToString(CultureInfo.InvariantCulture),
                    model.Revision.ToString(CultureInfo.InvariantCulture));
            }

            Out.Write(table);
            return 0;
        });
        return command;
    }

    private Command Show()
    {
        var version = new Argument<string?>("VERSION") { Description = "One version in detail: signature, lineage, task, monitoring limits and config document.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("show", "Show a model, its aliases and every version with its task, monitoring limits and config document.") { _name, version, output.Option };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var name = result.GetRequiredValue(_name);
            if (result.GetValue(version) is { Length: > 0 } number)
            {
                var found = await client.GetVersionAsync(new GetVersionRequest { Name = name, Version = number }, cancellationToken: ct);
                if (output.IsJson(result))
                {
                    console.WriteJson(found);
                }
                else
                {
                    new ModelView(Out).Write(found);
                }

                return 0;
            }

            var model = await client.GetModelAsync(new GetModelRequest { Name = name }, cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(model);
            }
            else
            {
                new ModelView(Out).Write(model);
            }

            return 0;
        });
        return command;
    }

    private Command Endpoints()
    {
        var addresses = new Option<bool>("--addresses")
        {
            Description = "Print only the addresses, comma-separated on one line, as the load tool's --target takes them.",
        };
        var command = new Command(
            "endpoints",
            "List the replicas serving a model's production version, each with its own gRPC address: clients may call them round-robin instead of the shared address. Addresses change when replicas restart; list again when a call fails.")
        {
            _name, addresses, output.Option,
        };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var response = await client.ListEndpointsAsync(new ListEndpointsRequest { Name = result.GetRequiredValue(_name) }, cancellationToken: ct);
            if (output.IsJson(result))
            {
                console.WriteJson(response);
                return 0;
            }

            if (result.GetValue(addresses))
            {
                if (response.Endpoints.Count == 0)
                {
                    throw new CliException($"no replica reports {response.ModelName} version {response.Version} loaded with an address of its own.");
                }

                Out.Profile.Out.Writer.WriteLine(string.Join(',', response.Endpoints.Select(endpoint => endpoint.GrpcAddress)));
                return 0;
            }

            if (response.Endpoints.Count == 0)
            {
                Out.MarkupLine($"[grey]No replica reports {Markup.Escape(response.ModelName)} version {Markup.Escape(response.Version)} loaded with an address of its own.[/]");
                return 0;
            }

            var table = new Table().AddColumns("Replica", "gRPC address", "Reported (UTC)");
            foreach (var endpoint in response.Endpoints)
            {
                table.AddRow(TableCells.Text(endpoint.Replica), TableCells.Text(endpoint.GrpcAddress), Timestamp(endpoint.ReportedAt));
            }

            Out.MarkupLine($"[bold]{Markup.Escape(response.ModelName)}[/] version [bold]{Markup.Escape(response.Version)}[/] (production)");
            Out.Write(table);
            return 0;
        });
        return command;
    }

    private Command Register()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The ONNX model file." };
        var config = new Option<FileInfo?>("--config")
        {
            HelpName = "FILE",
            Description = "The version's config document (JSON): serving settings and the model's contract (task, inputs, outputs, feedback, training). " +
                "Checked as JSON before anything is uploaded and against the model by the server; a refused document registers nothing.",
        };
        var description = new Option<string>("--description") { Description = "What this version is.", DefaultValueFactory = _ => "" };
        var owner = new Option<string>("--owner") { Description = "Team or person responsible (default: the API key's name).", DefaultValueFactory = _ => "" };
        var parent = new Option<string>("--parent") { Description = "The version this one was derived from.", DefaultValueFactory = _ => "" };
        var command = new Command("register", "Upload an ONNX file as a new version; it is validated with ONNX Runtime before it becomes Ready.")
        {
            _name, file, config, description, owner, parent, output.Option,
        };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var path = result.GetRequiredValue(file);
            if (!path.Exists)
            {
                throw new CliException($"file '{path.FullName}' not found.");
            }

            var document = result.GetValue(config) is { } configFile ? await ReadConfigAsync(configFile, ct) : "";
            var content = await File.ReadAllBytesAsync(path.FullName, ct);
            var metadata = new RegisterModelMetadata
            {
                Name = result.GetRequiredValue(_name),
                Description = result.GetValue(description) ?? "",
                Owner = result.GetValue(owner) ?? "",
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
                Size = content.Length,
                Framework = "onnx",
                ServingConfigJson = document,
            };
            if (result.GetValue(parent) is { Length: > 0 } parentVersion)
            {
                metadata.Lineage = new Lineage { ParentVersion = parentVersion };
            }

            var json = output.IsJson(result);
            var response = json ? await UploadAsync(client, metadata, content, _ => { }, ct) : await UploadWithProgressAsync(client, metadata, content, ct);
            var version = response.Version;
            if (json)
            {
                console.WriteJson(response);
            }

            if (version.State == ModelVersionState.Failed)
            {
                throw new CliException($"{metadata.Name} version {version.Version} was registered but failed validation: {version.Validation?.Detail}");
            }

            if (json)
            {
                return 0;
            }

            var keptConfig = !response.Created && document.Length > 0 && document != version.ServingConfigJson
                ? " (it keeps the config document it was registered with; --config was not applied)"
                : "";
            Out.MarkupLine(response.Created
                ? $"Registered [bold]{Markup.Escape(metadata.Name)}[/] version [bold]{Markup.Escape(version.Version)}[/]: {ModelView.StateName(version.State)} (sha256 {version.ArtifactSha256[..12]}, {version.ArtifactSize:N0} bytes)"
                : $"[bold]{Markup.Escape(metadata.Name)}[/] already has this artifact as version [bold]{Markup.Escape(version.Version)}[/]: {ModelView.StateName(version.State)}{Markup.Escape(keptConfig)}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The config document in <paramref name="file"/>, refused here (before anything is uploaded) when it is missing,
    /// unreadable, too large or not a JSON object. The server checks the keys against the model.
    /// </summary>
    internal static async Task<string> ReadConfigAsync(FileInfo file, CancellationToken ct)
    {
        if (!file.Exists)
        {
            throw new CliException($"config file '{file.FullName}' not found.");
        }

        if (file.Length > MaxConfigBytes)
        {
            throw new CliException($"config file '{file.FullName}' is {file.Length:N0} bytes; a config document is at most {MaxConfigBytes:N0} bytes.");
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(file.FullName, ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"config file '{file.FullName}' cannot be read: {ex.Message}");
        }

        JsonValueKind kind;
        try
        {
            // The server's reading of the document: comments and trailing commas are allowed.
            using var parsed = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            kind = parsed.RootElement.ValueKind;
        }
        catch (JsonException ex)
        {
            throw new CliException($"config file '{file.FullName}' is not valid JSON: {ex.Message}");
        }

        if (kind != JsonValueKind.Object)
        {
            throw new CliException($"config file '{file.FullName}' holds a JSON {kind.ToString().ToLowerInvariant()}; a config document is a JSON object, e.g. {{ \"task\": \"binary-classification\" }}.");
        }

        return text;
    }

    private Command Shadow()
    {
        var sample = new Option<double>("--sample") { Description = "Fraction of production requests copied to the shadow (0-1).", DefaultValueFactory = _ => 0.1 };
        var command = new Command("shadow", "Make a version a shadow: it scores a sample of production traffic, never answering it.")
        {
            _name, _version, sample, _reason, _expectedRevision, output.Option,
        };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var request = new SetShadowRequest
            {
                Name = result.GetRequiredValue(_name),
                Version = result.GetRequiredValue(_version),
                SampleRate = result.GetValue(sample),
                Reason = result.GetValue(_reason) ?? "",
            };
            if (result.GetValue(_expectedRevision) is { } revision)
            {
                request.ExpectedRevision = revision;
            }

            var response = await client.SetShadowAsync(request, cancellationToken: ct);
            return Changed(result, response, $"shadows production with sample rate {request.SampleRate.ToString(CultureInfo.InvariantCulture)}");
        });
        return command;
    }

    private Command Canary()
    {
        var weight = new Option<int>("--weight") { Description = "Percentage of unpinned requests the canary answers (0-100).", Required = true };
        var command = new Command("canary", "Make a version the canary, answering a percentage of requests.")
        {
            _name, _version, weight, _reason, _expectedRevision, output.Option,
        };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var request = new SetCanaryRequest
            {
                Name = result.GetRequiredValue(_name),
                Version = result.GetRequiredValue(_version),
                WeightPercent = result.GetValue(weight),
                Reason = result.GetValue(_reason) ?? "",
            };
            if (result.GetValue(_expectedRevision) is { } revision)
            {
                request.ExpectedRevision = revision;
            }

            var response = await client.SetCanaryAsync(request, cancellationToken: ct);
            return Changed(result, response, $"is the canary at {request.WeightPercent}%");
        });
        return command;
    }

    private Command Promote()
    {
        var command = new Command("promote", "Make a version the production version.") { _name, _version, _reason, _expectedRevision, output.Option };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var request = new PromoteRequest
            {
                Name = result.GetRequiredValue(_name),
                Version = result.GetRequiredValue(_version),
                Reason = result.GetValue(_reason) ?? "",
            };
            if (result.GetValue(_expectedRevision) is { } revision)
            {
                request.ExpectedRevision = revision;
            }

            return Changed(result, await client.PromoteAsync(request, cancellationToken: ct), "is in production");
        });
        return command;
    }

    private Command Rollback()
    {
        var command = new Command("rollback", "Put the previous production version back in production.") { _name, _reason, _expectedRevision, output.Option };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var request = new RollbackRequest { Name = result.GetRequiredValue(_name), Reason = result.GetValue(_reason) ?? "" };
            if (result.GetValue(_expectedRevision) is { } revision)
            {
                request.ExpectedRevision = revision;
            }

            return Changed(result, await client.RollbackAsync(request, cancellationToken: ct), "is back in production");
        });
        return command;
    }

    private Command Retire()
    {
        var command = new Command("retire", "Retire a version that is not in production; it is never served again.") { _name, _version, _reason, _expectedRevision, output.Option };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var request = new RetireRequest
            {
                Name = result.GetRequiredValue(_name),
                Version = result.GetRequiredValue(_version),
                Reason = result.GetValue(_reason) ?? "",
            };
            if (result.GetValue(_expectedRevision) is { } revision)
            {
                request.ExpectedRevision = revision;
            }

            return Changed(result, await client.RetireAsync(request, cancellationToken: ct), "is retired");
        });
        return command;
    }

    private Command Audit()
    {
        var newest = new Option<int?>("--newest") { Description = "Only the newest N events (default: the whole history)." };
        var production = new Option<bool>("--production")
        {
            Description = "Only the production history: which version was in production when, who put it there and why.",
        };
        var command = new Command("audit", "Show a model's audit trail: who changed what, when and why.") { _name, newest, production, output.Option };
        SetManagementAction(command, async (client, result, ct) =>
        {
            if (result.GetValue(newest) is < 1)
            {
                throw new CliException("--newest must be at least 1.");
            }

            var events = await ReadAuditAsync(client, result.GetRequiredValue(_name), result.GetValue(newest), ct);
            if (output.IsJson(result))
            {
                // One document, oldest first, whatever pages it was read in.
                var shown = result.GetValue(production) ? events.Where(e => e.To == "Production") : events;
                console.WriteJson(new AuditLog { Events = { shown } });
                return 0;
            }

            Out.Write(result.GetValue(production) ? ProductionHistory(events) : AuditTable(events));
            return 0;
        });
        return command;
    }

    /// <summary>The trail oldest first: all of it, or its newest <paramref name="newest"/> events, a page at a time.</summary>
    private static async Task<List<AuditEvent>> ReadAuditAsync(
        ModelManagement.ModelManagementClient client, string name, int? newest, CancellationToken ct)
    {
        const int pageSize = 1000;
        var events = new List<AuditEvent>();
        var request = new GetAuditLogRequest { Name = name, PageSize = pageSize, NewestFirst = newest is not null };
        do
        {
            if (newest is { } wanted)
            {
                request.PageSize = Math.Min(pageSize, wanted - events.Count);
            }

            var page = await client.GetAuditLogAsync(request, cancellationToken: ct);
            events.AddRange(page.Events);
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0 && (newest is null || events.Count < newest));

        if (newest is not null)
        {
            events.Reverse();
        }

        return events;
    }

    private static Table AuditTable(IEnumerable<AuditEvent> events)
    {
        var table = new Table().AddColumns("#", "At (UTC)", "Actor", "Action", "Version", "From → To", "Reason", "Rev");
        foreach (var entry in events)
        {
            table.AddRow(
                entry.Sequence.ToString(CultureInfo.InvariantCulture),
                Timestamp(entry.At),
                TableCells.Text(entry.Actor),
                TableCells.Text(entry.Action),
                TableCells.Dash(entry.Version),
                TableCells.Text($"{(entry.From.Length > 0 ? entry.From : "-")} → {(entry.To.Length > 0 ? entry.To : "-")}"),
                TableCells.Text(entry.Reason),
                entry.Revision.ToString(CultureInfo.InvariantCulture));
        }

        return table;
    }

    /// <summary>Each stretch a version served production: from its promotion (or rollback to it) until the next one.</summary>
    private static Table ProductionHistory(IReadOnlyList<AuditEvent> events)
    {
        var changes = events.Where(e => e.To == "Production").ToList();
        var table = new Table().AddColumns("Version", "In production from (UTC)", "Until (UTC)", "By", "How", "Reason");
        for (var i = 0; i < changes.Count; i++)
        {
            table.AddRow(
                TableCells.Dash(changes[i].Version),
                Timestamp(changes[i].At),
                i + 1 < changes.Count ? Timestamp(changes[i + 1].At) : "now",
                TableCells.Text(changes[i].Actor),
                TableCells.Text(changes[i].Action),
                TableCells.Text(changes[i].Reason));
        }

        return table;
    }

    private static string Timestamp(Google.Protobuf.WellKnownTypes.Timestamp at) =>
        at.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private async Task<RegisterModelResponse> UploadWithProgressAsync(
        ModelManagement.ModelManagementClient client, RegisterModelMetadata metadata, byte[] content, CancellationToken ct)
    {
        return await Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var upload = progress.AddTask($"Uploading {Markup.Escape(metadata.Name)}", maxValue: content.Length);
                try
                {
                    return await UploadAsync(client, metadata, content, sent =>
                    {
                        upload.Increment(sent);
                        if (upload.Value >= content.Length)
                        {
                            upload.Description = $"Validating {Markup.Escape(metadata.Name)}";
                        }
                    }, ct);
                }
                finally
                {
                    upload.StopTask();
                }
            });
    }

    /// <summary>Streams the metadata, then the content in chunks; <paramref name="sent"/> hears of each chunk's length.</summary>
    private static async Task<RegisterModelResponse> UploadAsync(
        ModelManagement.ModelManagementClient client, RegisterModelMetadata metadata, byte[] content, Action<int> sent, CancellationToken ct)
    {
        using var call = client.RegisterModel(cancellationToken: ct);
        // A server that refuses the upload (too large, not allowed) answers before it has read it all and reads no
        // more: a write then waits for flow-control credit that never comes. The answer ends the writing instead.
        using var answered = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = call.ResponseAsync.ContinueWith(_ => answered.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await call.RequestStream.WriteAsync(new RegisterModelRequest { Metadata = metadata }, answered.Token);
            for (var offset = 0; offset < content.Length; offset += UploadChunkBytes)
            {
                var length = Math.Min(UploadChunkBytes, content.Length - offset);
                await call.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = ByteString.CopyFrom(content, offset, length) }, answered.Token);
                sent(length);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException
            || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // The server ended the call early (it refused the upload); its status, awaited below, says why.
        }

        return await call.ResponseAsync;
    }

    private int Changed(ParseResult result, LifecycleResponse response, string what)
    {
        if (output.IsJson(result))
        {
            console.WriteJson(response);
            return 0;
        }

        Out.MarkupLine($"[bold]{Markup.Escape(response.Version.ModelName)}[/] version [bold]{Markup.Escape(response.Version.Version)}[/] {Markup.Escape(what)} (model revision {response.Model.Revision}).");
        return 0;
    }

    private void SetManagementAction(Command command, Func<ModelManagement.ModelManagementClient, ParseResult, CancellationToken, Task<int>> action) =>
        SetManagementAction(console, connections, server, command, action);

    /// <summary>Runs <paramref name="action"/> with a management client on the chosen server, failures reported as one line.</summary>
    internal static void SetManagementAction(
        CliConsole console, ServerConnections connections, Option<string?> server, Command command,
        Func<ModelManagement.ModelManagementClient, ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction((result, ct) => MlopsCommandLine.GuardAsync(console, () => connections.ManagementAddress(result.GetValue(server)), $"--server or {ServerConnections.ServerVariable}", async () =>
        {
            var (channel, client) = connections.Management(result.GetValue(server));
            using (channel)
            {
                return await action(client, result, ct);
            }
        }));
}
