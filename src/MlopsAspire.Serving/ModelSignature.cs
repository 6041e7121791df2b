using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.Serving;

/// <summary>A model's inputs and outputs as the protocol describes them, read from ONNX Runtime's metadata.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    /// <summary>Every output name, in signature order (what a request without requested outputs gets).</summary>
    public IReadOnlyList<string> OutputNameList { get; } = Outputs.Select(output => output.Name).ToArray();

    public TensorSpec? FindInput(string name) => Find(Inputs, name);

    public TensorSpec? FindOutput(string name) => Find(Outputs, name);

    public int IndexOfInput(string name)
    {
        for (var i = 0; i < Inputs.Count; i++)
        {
            if (string.Equals(Inputs[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    public string InputNames => string.Join(", ", Inputs.Select(input => input.Name));

    public string OutputNames => string.Join(", ", Outputs.Select(output => output.Name));

    /// <summary>
    /// Reads the signature. Inputs must all be tensors of a protocol datatype (a request could not feed them
    /// otherwise); outputs that are not (sequences, maps) are left out because the protocol cannot return them.
    /// </summary>
    public static ModelSignature FromSession(InferenceSession session)
    {
        var inputs = new List<TensorSpec>(session.InputMetadata.Count);
        foreach (var (name, metadata) in session.InputMetadata)
        {
            inputs.Add(ToSpec(name, metadata)
                ?? throw new NotSupportedException(
                    $"model input '{name}' is a {metadata.OnnxValueType} of {metadata.ElementDataType}; only tensors of protocol datatypes can be served"));
        }

        var outputs = new List<TensorSpec>(session.OutputMetadata.Count);
        foreach (var (name, metadata) in session.OutputMetadata)
        {
            if (ToSpec(name, metadata) is { } spec)
            {
                outputs.Add(spec);
            }
        }

        return new ModelSignature(inputs, outputs);
    }

    private static TensorSpec? ToSpec(string name, NodeMetadata metadata)
    {
        if (!metadata.IsTensor || !TensorDatatypes.TryFromOnnx(metadata.ElementDataType, out var datatype))
        {
            return null;
        }

        // Symbolic and unknown dimensions come back as -1 (or 0 in a few exporters); both mean "any size".
        var shape = metadata.Dimensions.Select(dim => dim > 0 ? (long)dim : -1L).ToArray();
        var symbolic = metadata.SymbolicDimensions;
        var dimensionNames = shape
            .Select((dim, i) => dim < 0 && i < symbolic.Length && !string.IsNullOrEmpty(symbolic[i]) ? symbolic[i] : null)
            .ToArray();
        return new TensorSpec(name, datatype, shape) { DimensionNames = dimensionNames };
    }

    private static TensorSpec? Find(IReadOnlyList<TensorSpec> specs, string name)
    {
        foreach (var spec in specs)
        {
            if (string.Equals(spec.Name, name, StringComparison.Ordinal))
            {
                return spec;
            }
        }

        return null;
    }
}
