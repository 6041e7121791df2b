using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Mlops.V1;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary><c>mlops models ...</c>: list, show, register, shadow, canary, promote, rollback, retire, audit.</summary>
internal sealed class ModelCommands(CliConsole console, ServerConnections connections, Option<string?> server)
{
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
        List(), Show(), Register(), Shadow(), Canary(), Promote(), Rollback(), Retire(), Audit(),
    };

    private Command List()
    {
        var command = new Command("list", "List models with their production, canary and shadow versions.");
        SetManagementAction(command, async (client, result, ct) =>
        {
            var response = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: ct);
            if (response.Models.Count == 0)
            {
                Out.MarkupLine("[grey]No models registered.[/]");
                return 0;
            }

            var table = new Table().AddColumns("Model", "Production", "Canary", "Shadows", "Versions", "Revision");
            foreach (var model in response.Models)
            {
                table.AddRow(
                    Markup.Escape(model.Name),
                    Dash(model.ProductionVersion),
                    model.Canary is { } canary ? $"{Markup.Escape(canary.Version)} ({canary.WeightPercent}%)" : "-",
                    Shadows(model),
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
        var command = new Command("show", "Show a model, its aliases and every version.") { _name };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var model = await client.GetModelAsync(new GetModelRequest { Name = result.GetRequiredValue(_name) }, cancellationToken: ct);
            Out.MarkupLine($"[bold]{Markup.Escape(model.Name)}[/]  revision {model.Revision}");
            Out.MarkupLine($"  production: {Dash(model.ProductionVersion)}");
            Out.MarkupLine($"  canary:     {(model.Canary is { } canary ? $"{Markup.Escape(canary.Version)} ({canary.WeightPercent}%)" : "-")}");
            Out.MarkupLine($"  shadows:    {Shadows(model)}");
            var table = new Table().AddColumns("Version", "State", "SHA-256", "Size", "Owner", "Registered", "Validation");
            foreach (var version in model.Versions)
            {
                table.AddRow(
                    Markup.Escape(version.Version),
                    StateName(version.State),
                    Markup.Escape(version.ArtifactSha256[..Math.Min(12, version.ArtifactSha256.Length)]),
                    version.ArtifactSize.ToString("N0", CultureInfo.InvariantCulture),
                    Dash(version.Owner),
                    version.RegisteredAt?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(Validation(version)));
            }

            Out.Write(table);
            return 0;
        });
        return command;
    }

    private Command Register()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The ONNX model file." };
        var description = new Option<string>("--description") { Description = "What this version is.", DefaultValueFactory = _ => "" };
        var owner = new Option<string>("--owner") { Description = "Team or person responsible (default: the API key's name).", DefaultValueFactory = _ => "" };
        var parent = new Option<string>("--parent") { Description = "The version this one was derived from.", DefaultValueFactory = _ => "" };
        var command = new Command("register", "Upload an ONNX file as a new version; it is validated with ONNX Runtime before it becomes Ready.")
        {
            _name, file, description, owner, parent,
        };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var path = result.GetRequiredValue(file);
            if (!path.Exists)
            {
                throw new CliException($"file '{path.FullName}' not found.");
            }

            var content = await File.ReadAllBytesAsync(path.FullName, ct);
            var metadata = new RegisterModelMetadata
            {
                Name = result.GetRequiredValue(_name),
                Description = result.GetValue(description) ?? "",
                Owner = result.GetValue(owner) ?? "",
                Sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
                Size = content.Length,
                Framework = "onnx",
            };
            if (result.GetValue(parent) is { Length: > 0 } parentVersion)
            {
                metadata.Lineage = new Lineage { ParentVersion = parentVersion };
            }

            var response = await UploadAsync(client, metadata, content, ct);
            var version = response.Version;
            if (version.State == ModelVersionState.Failed)
            {
                throw new CliException($"{metadata.Name} version {version.Version} was registered but failed validation: {version.Validation?.Detail}");
            }

            Out.MarkupLine(response.Created
                ? $"Registered [bold]{Markup.Escape(metadata.Name)}[/] version [bold]{Markup.Escape(version.Version)}[/]: {StateName(version.State)} (sha256 {version.ArtifactSha256[..12]}, {version.ArtifactSize:N0} bytes)"
                : $"[bold]{Markup.Escape(metadata.Name)}[/] already has this artifact as version [bold]{Markup.Escape(version.Version)}[/]: {StateName(version.State)}");
            return 0;
        });
        return command;
    }

    private Command Shadow()
    {
        var sample = new Option<double>("--sample") { Description = "Fraction of production requests copied to the shadow (0-1).", DefaultValueFactory = _ => 0.1 };
        var command = new Command("shadow", "Make a version a shadow: it scores a sample of production traffic, never answering it.")
        {
            _name, _version, sample, _reason, _expectedRevision,
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
            return Changed(response, $"shadows production with sample rate {request.SampleRate.ToString(CultureInfo.InvariantCulture)}");
        });
        return command;
    }

    private Command Canary()
    {
        var weight = new Option<int>("--weight") { Description = "Percentage of unpinned requests the canary answers (0-100).", Required = true };
        var command = new Command("canary", "Make a version the canary, answering a percentage of requests.")
        {
            _name, _version, weight, _reason, _expectedRevision,
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
            return Changed(response, $"is the canary at {request.WeightPercent}%");
        });
        return command;
    }

    private Command Promote()
    {
        var command = new Command("promote", "Make a version the production version.") { _name, _version, _reason, _expectedRevision };
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

            return Changed(await client.PromoteAsync(request, cancellationToken: ct), "is in production");
        });
        return command;
    }

    private Command Rollback()
    {
        var command = new Command("rollback", "Put the previous production version back in production.") { _name, _reason, _expectedRevision };
        SetManagementAction(command, async (client, result, ct) =>
        {
            var request = new RollbackRequest { Name = result.GetRequiredValue(_name), Reason = result.GetValue(_reason) ?? "" };
            if (result.GetValue(_expectedRevision) is { } revision)
            {
                request.ExpectedRevision = revision;
            }

            return Changed(await client.RollbackAsync(request, cancellationToken: ct), "is back in production");
        });
        return command;
    }

    private Command Retire()
    {
        var command = new Command("retire", "Retire a version that is not in production; it is never served again.") { _name, _version, _reason, _expectedRevision };
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

            return Changed(await client.RetireAsync(request, cancellationToken: ct), "is retired");
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
        var command = new Command("audit", "Show a model's audit trail: who changed what, when and why.") { _name, newest, production };
        SetManagementAction(command, async (client, result, ct) =>
        {
            if (result.GetValue(newest) is < 1)
            {
                throw new CliException("--newest must be at least 1.");
            }

            var events = await ReadAuditAsync(client, result.GetRequiredValue(_name), result.GetValue(newest), ct);
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
                Markup.Escape(entry.Actor),
                Markup.Escape(entry.Action),
                Dash(entry.Version),
                Markup.Escape($"{(entry.From.Length > 0 ? entry.From : "-")} → {(entry.To.Length > 0 ? entry.To : "-")}"),
                Markup.Escape(entry.Reason),
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
                Dash(changes[i].Version),
                Timestamp(changes[i].At),
                i + 1 < changes.Count ? Timestamp(changes[i + 1].At) : "now",
                Markup.Escape(changes[i].Actor),
                Markup.Escape(changes[i].Action),
                Markup.Escape(changes[i].Reason));
        }

        return table;
    }

    private static string Timestamp(Google.Protobuf.WellKnownTypes.Timestamp at) =>
        at.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private async Task<RegisterModelResponse> UploadAsync(
        ModelManagement.ModelManagementClient client, RegisterModelMetadata metadata, byte[] content, CancellationToken ct)
    {
        using var call = client.RegisterModel(cancellationToken: ct);
        await Out.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var upload = progress.AddTask($"Uploading {Markup.Escape(metadata.Name)}", maxValue: content.Length);
                try
                {
                    await call.RequestStream.WriteAsync(new RegisterModelRequest { Metadata = metadata }, ct);
                    for (var offset = 0; offset < content.Length; offset += UploadChunkBytes)
                    {
                        var length = Math.Min(UploadChunkBytes, content.Length - offset);
                        await call.RequestStream.WriteAsync(new RegisterModelRequest { Chunk = ByteString.CopyFrom(content, offset, length) }, ct);
                        upload.Increment(length);
                    }

                    await call.RequestStream.CompleteAsync();
                    upload.Description = $"Validating {Markup.Escape(metadata.Name)}";
                    await call.ResponseAsync;
                }
                catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
                {
                    // The server ended the call early (it refused the upload); its status, awaited below, says why.
                }

                upload.StopTask();
            });
        return await call.ResponseAsync;
    }

    private int Changed(LifecycleResponse response, string what)
    {
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

    private static string StateName(ModelVersionState state) =>
        state.ToString();

    private static string Shadows(Model model) =>
        model.Shadows.Count == 0
            ? "-"
            : Markup.Escape(string.Join(", ", model.Shadows.Select(s => $"{s.Version} ({s.SampleRate.ToString("0.###", CultureInfo.InvariantCulture)})")));

    private static string Validation(ModelVersion version)
    {
        if (version.Validation is null)
        {
            return "-";
        }

        if (!version.Validation.Passed)
        {
            return "failed: " + version.Validation.Detail;
        }

        var latency = string.Join(", ", version.Validation.LatencyMsByBatchSize.OrderBy(l => l.Key)
            .Select(l => $"b{l.Key} {l.Value.ToString("0.##", CultureInfo.InvariantCulture)} ms"));
        return $"passed ({latency})";
    }

    private static string Dash(string value) => string.IsNullOrEmpty(value) ? "-" : Markup.Escape(value);
}
