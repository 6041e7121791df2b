using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Grpc.Net.Client;
using Inference;
using Spectre.Console;

namespace MlopsAspire.Cli;

/// <summary>
/// <c>mlops infer NAME --json ROWS</c>: sends rows of numbers to a model's single input over the Open Inference
/// Protocol and prints every output per row (or, with <c>--output json</c>, the response with its outputs as numbers).
/// </summary>
internal sealed class InferCommand(CliConsole console, ServerConnections connections, OutputOption output)
{
    public Command Build()
    {
        var name = new Argument<string>("NAME") { Description = "Model name." };
        var json = new Option<string>("--json")
        {
            Description = "Input rows as JSON: [[f1, f2, ...], ...] or one row [f1, f2, ...].",
            Required = true,
        };
        var version = new Option<string>("--version") { Description = "Pin a version (default: the production version).", DefaultValueFactory = _ => "" };
        var inferServer = new Option<string?>("--infer-server")
        {
            Description = $"Inference gRPC address (default: ${ServerConnections.InferServerVariable} or {ServerConnections.DefaultInferServer}).",
        };
        var command = new Command("infer", "Run a model on rows of numbers (gRPC Open Inference Protocol).") { name, json, version, inferServer, output.Option };
        command.SetAction((result, ct) => MlopsCommandLine.GuardAsync(console, () => connections.InferenceAddress(result.GetValue(inferServer)), $"--infer-server or {ServerConnections.InferServerVariable}", async () =>
        {
            var rows = ParseRows(result.GetRequiredValue(json));
            using var channel = GrpcChannel.ForAddress(connections.InferenceAddress(result.GetValue(inferServer)));
            var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
            var modelName = result.GetRequiredValue(name);
            var pinned = result.GetValue(version) ?? "";

            var metadata = await client.ModelMetadataAsync(new ModelMetadataRequest { Name = modelName, Version = pinned }, cancellationToken: ct);
            if (metadata.Inputs.Count != 1)
            {
                throw new CliException($"model '{modelName}' has {metadata.Inputs.Count} inputs; `mlops infer` feeds models with exactly one.");
            }

            var request = new ModelInferRequest { ModelName = modelName, ModelVersion = pinned, Id = Guid.NewGuid().ToString("N") };
            request.Inputs.Add(Input(metadata.Inputs[0], rows));
            var response = WithTypedContents(await client.ModelInferAsync(request, cancellationToken: ct));
            if (output.IsJson(result))
            {
                console.WriteJson(response);
            }
            else
            {
                Print(response, rows.Count);
            }

            return 0;
        }));
        return command;
    }

    private static List<double[]> ParseRows(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new CliException($"--json is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
            {
                throw new CliException("--json must be a non-empty array: [[f1, f2, ...], ...] or [f1, f2, ...].");
            }

            var rows = root[0].ValueKind == JsonValueKind.Array
                ? root.EnumerateArray().Select(Row).ToList()
                : [Row(root)];
            if (rows.Any(row => row.Length != rows[0].Length))
            {
                throw new CliException($"--json rows differ in length; every row needs {rows[0].Length} numbers like the first.");
            }

            return rows;
        }
    }

    private static double[] Row(JsonElement row)
    {
        if (row.ValueKind != JsonValueKind.Array || row.EnumerateArray().Any(value => value.ValueKind != JsonValueKind.Number))
        {
            throw new CliException($"--json row {row.GetRawText()} is not an array of numbers.");
        }

        return [.. row.EnumerateArray().Select(value => value.GetDouble())];
    }

    private static ModelInferRequest.Types.InferInputTensor Input(ModelMetadataResponse.Types.TensorMetadata spec, List<double[]> rows)
    {
        var width = rows[0].Length;
        var expectedWidth = spec.Shape.Count == 2 ? spec.Shape[1] : -1;
        if (expectedWidth >= 0 && expectedWidth != width)
        {
            throw new CliException($"input '{spec.Name}' takes rows of {expectedWidth} numbers; --json rows have {width}.");
        }

        var tensor = new ModelInferRequest.Types.InferInputTensor
        {
            Name = spec.Name,
            Datatype = spec.Datatype,
            Shape = { rows.Count, width },
            Contents = new InferTensorContents(),
        };
        var values = rows.SelectMany(row => row);
        switch (spec.Datatype)
        {
            case "FP32":
                tensor.Contents.Fp32Contents.AddRange(values.Select(v => (float)v));
                break;
            case "FP64":
                tensor.Contents.Fp64Contents.AddRange(values);
                break;
            case "INT64":
                tensor.Contents.Int64Contents.AddRange(values.Select(v => (long)v));
                break;
            case "INT32":
                tensor.Contents.IntContents.AddRange(values.Select(v => (int)v));
                break;
            default:
                throw new CliException($"input '{spec.Name}' is {spec.Datatype}; `mlops infer` sends FP32, FP64, INT64 or INT32.");
        }

        return tensor;
    }

    private void Print(ModelInferResponse response, int rowCount)
    {
        console.Output.MarkupLine($"[bold]{Markup.Escape(response.ModelName)}[/] version {Markup.Escape(response.ModelVersion)}");
        var table = new Table().AddColumn("Row");
        var columns = response.Outputs.Select((output, index) => (output.Name, Values: Values(response, output, index))).ToList();
        foreach (var column in columns)
        {
            table.AddColumn(Markup.Escape(column.Name));
        }

        for (var row = 0; row < rowCount; row++)
        {
            var cells = new List<string> { row.ToString(CultureInfo.InvariantCulture) };
            foreach (var (_, values) in columns)
            {
                var perRow = values.Count / rowCount;
                cells.Add(TableCells.Text(string.Join(", ", values.Skip(row * perRow).Take(perRow))));
            }

            table.AddRow([.. cells]);
        }

        console.Output.Write(table);
    }

    /// <summary>
    /// The response with its raw output bytes read into typed contents, so that both the table and the JSON show
    /// numbers (JSON would show raw bytes as base64). A datatype without typed contents (FP16, BYTES) keeps them raw.
    /// </summary>
    internal static ModelInferResponse WithTypedContents(ModelInferResponse response)
    {
        if (response.RawOutputContents.Count == 0)
        {
            return response;
        }

        var typed = response.Clone();
        for (var index = 0; index < typed.Outputs.Count && index < typed.RawOutputContents.Count; index++)
        {
            if (Typed(typed.Outputs[index].Datatype, typed.RawOutputContents[index].Span) is not { } contents)
            {
                return response;
            }

            typed.Outputs[index].Contents = contents;
        }

        typed.RawOutputContents.Clear();
        return typed;
    }

    // Raw contents are little-endian, as the Open Inference Protocol lays them out.
    private static InferTensorContents? Typed(string datatype, ReadOnlySpan<byte> raw) => datatype switch
    {
        "FP32" => new InferTensorContents { Fp32Contents = { MemoryMarshal.Cast<byte, float>(raw).ToArray() } },
        "FP64" => new InferTensorContents { Fp64Contents = { MemoryMarshal.Cast<byte, double>(raw).ToArray() } },
        "INT64" => new InferTensorContents { Int64Contents = { MemoryMarshal.Cast<byte, long>(raw).ToArray() } },
        "INT32" => new InferTensorContents { IntContents = { MemoryMarshal.Cast<byte, int>(raw).ToArray() } },
        "INT16" => new InferTensorContents { IntContents = { MemoryMarshal.Cast<byte, short>(raw).ToArray().Select(v => (int)v) } },
        "INT8" => new InferTensorContents { IntContents = { MemoryMarshal.Cast<byte, sbyte>(raw).ToArray().Select(v => (int)v) } },
        "UINT64" => new InferTensorContents { Uint64Contents = { MemoryMarshal.Cast<byte, ulong>(raw).ToArray() } },
        "UINT32" => new InferTensorContents { UintContents = { MemoryMarshal.Cast<byte, uint>(raw).ToArray() } },
        "UINT16" => new InferTensorContents { UintContents = { MemoryMarshal.Cast<byte, ushort>(raw).ToArray().Select(v => (uint)v) } },
        "UINT8" => new InferTensorContents { UintContents = { raw.ToArray().Select(v => (uint)v) } },
        "BOOL" => new InferTensorContents { BoolContents = { raw.ToArray().Select(v => v != 0) } },
        _ => null,
    };

    private static List<string> Values(ModelInferResponse response, ModelInferResponse.Types.InferOutputTensor output, int index)
    {
        static string Number(double value) => value.ToString("G7", CultureInfo.InvariantCulture);

        if (response.RawOutputContents.Count > index)
        {
            return [$"<{response.RawOutputContents[index].Length} bytes of {output.Datatype}>"];
        }

        var contents = output.Contents ?? new InferTensorContents();
        return output.Datatype switch
        {
            "FP32" => [.. contents.Fp32Contents.Select(v => Number(v))],
            "FP64" => [.. contents.Fp64Contents.Select(Number)],
            "INT64" => [.. contents.Int64Contents.Select(v => v.ToString(CultureInfo.InvariantCulture))],
            "INT32" or "INT16" or "INT8" => [.. contents.IntContents.Select(v => v.ToString(CultureInfo.InvariantCulture))],
            "UINT64" => [.. contents.Uint64Contents.Select(v => v.ToString(CultureInfo.InvariantCulture))],
            "BOOL" => [.. contents.BoolContents.Select(v => v ? "true" : "false")],
            "BYTES" => [.. contents.BytesContents.Select(v => v.ToStringUtf8())],
            _ => [.. contents.UintContents.Select(v => v.ToString(CultureInfo.InvariantCulture))],
        };
    }
}
