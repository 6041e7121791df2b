using System.Globalization;
using Inference;
using MlopsAspire.Inference.Protocol.Rest;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Workloads;

/// <summary>
/// Requests for any model, from what its server says of it (<see cref="ModelMetadataResponse"/>): random inputs of
/// the model's datatypes and shapes, or the inputs of a KServe v2 JSON request body used as given. What does not
/// fit the model is an <see cref="InvalidOperationException"/> that names the input.
/// </summary>
public static class ModelRequests
{
    /// <summary>A request body read for <c>--input-data</c> may be this large; it is checked before the file is read.</summary>
    public const long MaxInputDataBytes = 256L * 1024 * 1024;

    /// <summary>Generated requests up to this size get <see cref="ManyDistinct"/> variants, larger ones <see cref="FewDistinct"/>.</summary>
    private const long SmallRequestBytes = 64 * 1024;
    private const int ManyDistinct = 16;
    private const int FewDistinct = 4;

    /// <summary>
    /// Every input's shape with its dynamic dimensions (-1) chosen: the first is <paramref name="batchSize"/>, the others
    /// 1; <paramref name="shapes"/> gives an input's whole shape instead, which must agree with its fixed dimensions
    /// (and with <paramref name="batchSize"/> where the first is dynamic).
    /// </summary>
    public static IReadOnlyList<RequestInput> ResolveInputs(
        ModelMetadataResponse metadata,
        int batchSize,
        IReadOnlyDictionary<string, IReadOnlyList<long>> shapes)
    {
        var model = metadata.Name;
        if (metadata.Inputs.Count == 0)
        {
            throw new InvalidOperationException($"model '{model}' declares no inputs in its metadata; nothing to send");
        }

        foreach (var name in shapes.Keys.Where(name => metadata.Inputs.All(input => input.Name != name)))
        {
            throw new InvalidOperationException($"--shape names '{name}', which is not an input of {model} (its inputs: {InputNames(metadata)})");
        }

        var resolved = new List<RequestInput>(metadata.Inputs.Count);
        foreach (var input in metadata.Inputs)
        {
            if (!TensorDatatypes.TryParse(input.Datatype, out var datatype))
            {
                throw new InvalidOperationException($"input '{input.Name}' of {model} is {input.Datatype}, a datatype the load tool cannot generate ({string.Join(", ", TensorDatatypes.AllWireNames)}); send it with --input-data");
            }

            resolved.Add(new RequestInput(input.Name, datatype, shapes.TryGetValue(input.Name, out var given)
                ? CheckOverride(model, input, given, batchSize)
                : Choose(model, input, batchSize)));
        }

        if (batchSize > 1 && metadata.Inputs.All(input => input.Shape.Count == 0 || input.Shape[0] >= 0))
        {
            throw new InvalidOperationException(
                $"--batch-size {batchSize} cannot be sent to {model}: no input has a dynamic first dimension ({string.Join(", ", metadata.Inputs.Select(Describe))}); use --batch-size 1");
        }

        return resolved;
    }

    /// <summary>
    /// The batch as a report states it. Above the model's max_batch_size (0: the server does not batch it, or did not
    /// say) servers differ: Triton refuses every such request, this platform's replica runs each in a batch of its own,
    /// never together with others. The run goes ahead either way and reports what the server answered.
    /// </summary>
    public static string DescribeBatch(int batchSize, int maxBatchSize) =>
        maxBatchSize > 0 && batchSize > maxBatchSize
            ? $"{batchSize}, above the model's max_batch_size {maxBatchSize}: Triton refuses such requests; this platform runs each in a batch of its own, not batched with others"
            : batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A few distinct requests of seeded random values for <paramref name="inputs"/>.</summary>
    public static InferRequestSet Generate(string model, string? version, IReadOnlyList<RequestInput> inputs, TensorEncoding encoding, int seed)
    {
        var bytes = inputs.Sum(input => input.ElementCount * Math.Max(1, input.Datatype.ElementSize()));
        var distinct = bytes <= SmallRequestBytes ? ManyDistinct : FewDistinct;
        var random = new Random(seed);
        var requests = new List<ModelInferRequest>(distinct);
        for (var r = 0; r < distinct; r++)
        {
            var request = NewRequest(model, version, r);
            foreach (var input in inputs)
            {
                var count = input.ElementCount <= int.MaxValue
                    ? (int)input.ElementCount
                    : throw new InvalidOperationException($"input {input} has {input.ElementCount} elements, more than one request can carry");
                InputTensorValues.Add(request, input.Name, input.Datatype, input.Shape, InputTensorValues.Random(input.Datatype, count, random), encoding);
            }

            requests.Add(request);
        }

        return new InferRequestSet(requests);
    }

    /// <summary>
    /// The inputs (and requested outputs) of a KServe v2 JSON request body, as the REST API takes it, checked against
    /// the model's metadata: every input the model declares, of its datatype, with a shape its fixed dimensions accept.
    /// </summary>
    /// <returns>One request; the inputs as sent, for the report.</returns>
    public static (InferRequestSet Requests, IReadOnlyList<RequestInput> Inputs) FromInputData(
        string path,
        ModelMetadataResponse metadata,
        string? version,
        TensorEncoding encoding)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new InvalidOperationException($"--input-data: no file at {path}");
        }

        if (file.Length > MaxInputDataBytes)
        {
            throw new InvalidOperationException($"--input-data {path} has {file.Length} bytes; at most {MaxInputDataBytes} (one request's body)");
        }

        return FromInputData(File.ReadAllBytes(path), path, metadata, version, encoding);
    }

    /// <param name="source">Where <paramref name="body"/> came from, for messages.</param>
    public static (InferRequestSet Requests, IReadOnlyList<RequestInput> Inputs) FromInputData(
        ReadOnlyMemory<byte> body,
        string source,
        ModelMetadataResponse metadata,
        string? version,
        TensorEncoding encoding)
    {
        var model = metadata.Name;
        InferenceRequest parsed;
        try
        {
            parsed = RestInferenceJson.ReadRequest(body, jsonLength: null, model, version).Request;
        }
        catch (InferenceException exception)
        {
            throw new InvalidOperationException($"--input-data {source} is not a KServe v2 inference request: {exception.Message}", exception);
        }

        foreach (var given in parsed.Inputs.Where(given => metadata.Inputs.All(input => input.Name != given.Name)))
        {
            throw new InvalidOperationException($"--input-data {source} has input '{given.Name}', which {model} does not take (its inputs: {InputNames(metadata)})");
        }

        var request = NewRequest(model, version, 0);
        var inputs = new List<RequestInput>(metadata.Inputs.Count);
        foreach (var expected in metadata.Inputs)
        {
            var given = parsed.Inputs.FirstOrDefault(input => input.Name == expected.Name)
                ?? throw new InvalidOperationException($"--input-data {source} has no input '{expected.Name}', which {model} needs ({Describe(expected)})");
            var where = $"--input-data {source}: input '{given.Name}'";
            if (given.Datatype != expected.Datatype || !TensorDatatypes.TryParse(given.Datatype, out var datatype))
            {
                throw new InvalidOperationException($"{where} is {given.Datatype}, but {model} takes {expected.Datatype}");
            }

            if (!Fits(given.Shape, expected.Shape))
            {
                throw new InvalidOperationException($"{where} has shape {ShapeFormat.Format(given.Shape)}, but {model} takes {ShapeFormat.Format(expected.Shape)} (-1: any size)");
            }

            var input = new RequestInput(given.Name, datatype, given.Shape);
            if (given.Data.IsRaw)
            {
                throw new InvalidOperationException($"{where} gives binary_data_size; the file must hold the values as JSON \"data\"");
            }

            var values = given.Data.Values!;
            if (InputTensorValues.Count(values) != input.ElementCount)
            {
                throw new InvalidOperationException($"{where} has {InputTensorValues.Count(values)} values, but its shape {ShapeFormat.Format(given.Shape)} holds {input.ElementCount}");
            }

            InputTensorValues.Add(request, input.Name, datatype, input.Shape, values, encoding);
            inputs.Add(input);
        }

        if (parsed.RequestedOutputs is { } outputs)
        {
            request.Outputs.AddRange(outputs.Select(output => new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output }));
        }

        return (new InferRequestSet([request]), inputs);
    }

    /// <summary>"NAME:D,D,..." of <c>--shape</c>: an input's whole shape.</summary>
    public static bool TryParseShape(string value, out string name, out IReadOnlyList<long> shape)
    {
        var colon = value.LastIndexOf(':');
        name = colon > 0 ? value[..colon] : string.Empty;
        shape = [];
        if (colon <= 0)
        {
            return false;
        }

        var dimensions = value[(colon + 1)..].Split(',', StringSplitOptions.TrimEntries);
        var parsed = new List<long>(dimensions.Length);
        foreach (var dimension in dimensions)
        {
            if (!long.TryParse(dimension, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size <= 0)
            {
                return false;
            }

            parsed.Add(size);
        }

        shape = parsed;
        return true;
    }

    private static ModelInferRequest NewRequest(string model, string? version, int index) =>
        new() { ModelName = model, ModelVersion = version ?? string.Empty, Id = $"r{index}" };

    private static List<long> Choose(string model, ModelMetadataResponse.Types.TensorMetadata input, int batchSize)
    {
        var shape = new List<long>(input.Shape.Count);
        for (var i = 0; i < input.Shape.Count; i++)
        {
            shape.Add(input.Shape[i] switch
            {
                -1 => i == 0 ? batchSize : 1,
                >= 0 and var size => size,
                var odd => throw new InvalidOperationException(
                    $"input '{input.Name}' of {model} has dimension {i} = {odd}, which the load tool cannot choose; give the whole shape with --shape {input.Name}:D,D,..."),
            });
        }

        return shape;
    }

    private static IReadOnlyList<long> CheckOverride(string model, ModelMetadataResponse.Types.TensorMetadata input, IReadOnlyList<long> given, int batchSize)
    {
        if (!Fits(given, input.Shape))
        {
            throw new InvalidOperationException($"--shape {input.Name}:{string.Join(',', given)} does not fit {model}'s {Describe(input)} (-1: any size)");
        }

        if (input.Shape.Count > 0 && input.Shape[0] == -1 && given[0] != batchSize)
        {
            throw new InvalidOperationException(
                $"--shape {input.Name}:{string.Join(',', given)} starts with {given[0]}, but the first (batch) dimension is --batch-size {batchSize}; give the same in both");
        }

        return given;
    }

    private static bool Fits(IReadOnlyList<long> given, Google.Protobuf.Collections.RepeatedField<long> declared) =>
        given.Count == declared.Count && given.Zip(declared).All(pair => pair.Second < 0 || pair.First == pair.Second);

    private static string Describe(ModelMetadataResponse.Types.TensorMetadata input) =>
        $"{input.Name} {input.Datatype} {ShapeFormat.Format(input.Shape)}";

    /// <summary>Every input of the model as its metadata states it: name, datatype and shape.</summary>
    public static string InputNames(ModelMetadataResponse metadata) => string.Join(", ", metadata.Inputs.Select(Describe));
}
