using Google.Protobuf;
using MlopsAspire.ModelContracts;
using MlopsAspire.Training.Trainers;
using Onnx;

namespace MlopsAspire.Training.Onnx;

/// <summary>
/// Gives an ML.NET export exactly its parent's signature, so a retrained candidate can replace the parent without a
/// client noticing: the feature input takes the parent's input name, and each of the parent's outputs is rebuilt
/// under its own name, datatype and shape: from the export's output of the same name, from the export's score for
/// <c>outputs.score</c> (as [N, 1], [N] or the two columns [1 - p, p]), or derived from the score for
/// <c>outputs.label</c> (p ≥ 0.5, or the class with the highest score), with Cast, Reshape and Identity nodes.
/// Outputs the parent does not have are dropped. An output that cannot be rebuilt fails with its name and why.
/// </summary>
public static class OnnxSignatureAdapter
{
    private const string Prefix = "signature_adapter/";

    /// <summary>ML.NET's output names for the probability of the positive class and for scores.</summary>
    public const string ProbabilityOutput = "Probability.output";
    public const string ScoreOutput = "Score.output";

    public static byte[] Adapt(byte[] candidateOnnx, byte[] parentOnnx, ModelContract contract, string trainer)
    {
        ArgumentNullException.ThrowIfNull(candidateOnnx);
        ArgumentNullException.ThrowIfNull(parentOnnx);
        ArgumentNullException.ThrowIfNull(contract);
        var candidate = ModelProto.Parser.ParseFrom(candidateOnnx);
        var parent = ModelProto.Parser.ParseFrom(parentOnnx);
        var adapted = new Adaptation(candidate, parent, contract, trainer);
        adapted.Run();
        return candidate.ToByteArray();
    }

    /// <summary>The tensor a parent output is rebuilt from, its element type and its shape (-1 for any size).</summary>
    private sealed record Source(string Name, int ElementType, long[] Shape);

    private sealed class Adaptation(ModelProto candidate, ModelProto parent, ModelContract contract, string trainer)
    {
        private readonly GraphProto _graph = candidate.Graph;
        private readonly List<NodeProto> _added = [];
        private int _counter;

        public void Run()
        {
            var parentInputs = RealInputs(parent.Graph);
            var candidateInputs = RealInputs(_graph);
            if (parentInputs.Count != 1)
            {
                throw Fail($"the parent has {parentInputs.Count} inputs ({string.Join(", ", parentInputs.Select(Describe))}); {trainer} rebuilds models with one tabular input");
            }

            if (candidateInputs.Count != 1)
            {
                throw Fail($"{trainer}'s export has {candidateInputs.Count} inputs; expected one");
            }

            var parentInput = parentInputs[0];
            var exportInput = candidateInputs[0].Name;
            if (ElementType(parentInput) != (int)TensorProto.Types.DataType.Float)
            {
                throw Fail($"the parent's input {Describe(parentInput)} is not FP32; {trainer} trains on FP32 features");
            }

            // Every tensor of the export whose name the signature needs is renamed out of the way first.
            var reserved = new HashSet<string>(parent.Graph.Output.Select(output => output.Name).Append(parentInput.Name), StringComparer.Ordinal);
            var exportOutputs = _graph.Output.ToDictionary(output => output.Name, output => output.Clone(), StringComparer.Ordinal);
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in TensorNames().Where(reserved.Contains).ToList())
            {
                var fresh = Fresh(name);
                Rename(name, fresh);
                renames[name] = fresh;
            }

            Rename(renames.GetValueOrDefault(exportInput, exportInput), parentInput.Name);
            var current = exportOutputs.Values.ToDictionary(
                output => output.Name,
                output => new Source(renames.GetValueOrDefault(output.Name, output.Name), ElementType(output), Shape(output)),
                StringComparer.Ordinal);

            foreach (var output in parent.Graph.Output)
            {
                var source = Locate(output, current);
                Emit(Fit(source, output), output);
            }

            _graph.Node.AddRange(_added);
            _graph.Output.Clear();
            _graph.Output.AddRange(parent.Graph.Output.Select(output => output.Clone()));
            _graph.Input.Clear();
            _graph.Input.Add(parentInput.Clone());
            Prune();
            EnsureOpset();
        }

        /// <summary>Where the parent output comes from in the export.</summary>
        private Source Locate(ValueInfoProto output, Dictionary<string, Source> exportOutputs)
        {
            if (exportOutputs.TryGetValue(output.Name, out var same))
            {
                return same;
            }

            var task = contract.Task;
            if (contract.Outputs.Score?.Name == output.Name)
            {
                var score = Required(exportOutputs, task == ModelTask.BinaryClassification ? ProbabilityOutput : ScoreOutput, output);
                if (task != ModelTask.BinaryClassification)
                {
                    return score;
                }

                var shape = Shape(output);
                if (shape.Length == 2 && shape[1] == 2)
                {
                    // [1 - p, p] with p in the declared column.
                    var column = contract.Outputs.Score.Column ?? 1;
                    var one = Constant(1f);
                    var complement = Node("Sub", [one, score.Name]);
                    var columns = column == 1 ? new[] { complement, score.Name } : [score.Name, complement];
                    return new Source(Node("Concat", columns, Attribute("axis", 1)), score.ElementType, [score.Shape[0], 2]);
                }

                if (shape.Length == 2 && shape[1] > 2)
                {
                    throw Fail($"the parent's score output {Describe(output)} has {shape[1]} columns; a binary classifier's score can be rebuilt as [N, 1], [N] or [N, 2]");
                }

                return score;
            }

            if (contract.Outputs.Label == output.Name)
            {
                if (task == ModelTask.BinaryClassification)
                {
                    var probability = Required(exportOutputs, ProbabilityOutput, output);
                    var below = Node("Less", [probability.Name, Constant(0.5f)]);
                    return new Source(Node("Not", [below]), (int)TensorProto.Types.DataType.Bool, probability.Shape);
                }

                if (task == ModelTask.MulticlassClassification)
                {
                    var scores = Required(exportOutputs, ScoreOutput, output);
                    var argMax = Node("ArgMax", [scores.Name], Attribute("axis", 1), Attribute("keepdims", 1));
                    return new Source(argMax, (int)TensorProto.Types.DataType.Int64, [scores.Shape[0], 1]);
                }
            }

            throw Fail($"the parent's output {Describe(output)} is neither 'outputs.score' nor 'outputs.label' of its config, and {trainer}'s export has no output of that name ({string.Join(", ", exportOutputs.Keys)}); only the command trainer can reproduce it");
        }

        /// <summary>Reshapes and casts <paramref name="source"/> to the parent output's shape and datatype.</summary>
        private Source Fit(Source source, ValueInfoProto output)
        {
            var shape = Shape(output);
            var elementType = ElementType(output);
            if (elementType == (int)TensorProto.Types.DataType.String)
            {
                throw Fail($"the parent's output {Describe(output)} holds text; {trainer} cannot produce it (the command trainer can)");
            }

            if (shape.Length != source.Shape.Length)
            {
                var perRow = Width(source.Shape);
                if (perRow != 1 || Width(shape) != 1 || shape.Length is < 1 or > 2)
                {
                    throw Fail($"the parent's output {Describe(output)} cannot be made from {trainer}'s {source.Name} of shape [{string.Join(", ", source.Shape)}]");
                }

                var target = Initializer(shape.Length == 1 ? [-1L] : [-1L, 1L]);
                source = source with { Name = Node("Reshape", [source.Name, target]), Shape = shape.Length == 1 ? [-1] : [-1, 1] };
            }
            else
            {
                for (var i = 1; i < shape.Length; i++)
                {
                    if (shape[i] > 0 && source.Shape[i] > 0 && shape[i] != source.Shape[i])
                    {
                        throw Fail($"the parent's output {Describe(output)} has {shape[i]} values in dimension {i}; {trainer}'s {source.Name} has {source.Shape[i]}");
                    }
                }
            }

            if (source.ElementType != elementType)
            {
                source = source with { Name = Node("Cast", [source.Name], Attribute("to", elementType)), ElementType = elementType };
            }

            return source;
        }

        private void Emit(Source source, ValueInfoProto output) =>
            _added.Add(new NodeProto { OpType = "Identity", Name = Prefix + output.Name, Input = { source.Name }, Output = { output.Name } });

        private Source Required(Dictionary<string, Source> exportOutputs, string name, ValueInfoProto output) =>
            exportOutputs.TryGetValue(name, out var source)
                ? source
                : throw Fail($"the parent's output {Describe(output)} needs {trainer}'s '{name}', which its export does not have ({string.Join(", ", exportOutputs.Keys)})");

        private string Node(string opType, IEnumerable<string> inputs, params AttributeProto[] attributes)
        {
            var output = Prefix + opType.ToLowerInvariant() + "_" + _counter++;
            var node = new NodeProto { OpType = opType, Name = output, Output = { output } };
            node.Input.AddRange(inputs);
            node.Attribute.AddRange(attributes);
            _added.Add(node);
            return output;
        }

        private string Constant(float value)
        {
            var name = Prefix + "constant_" + _counter++;
            _graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, FloatData = { value } });
            return name;
        }

        private string Initializer(long[] values)
        {
            var name = Prefix + "shape_" + _counter++;
            _graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { values.Length }, Int64Data = { values } });
            return name;
        }

        private static AttributeProto Attribute(string name, long value) =>
            new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

        private string Fresh(string name)
        {
            var names = TensorNames();
            var fresh = name + "_export";
            for (var i = 1; names.Contains(fresh); i++)
            {
                fresh = $"{name}_export{i}";
            }

            return fresh;
        }

        private HashSet<string> TensorNames()
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in _graph.Node)
            {
                names.UnionWith(node.Input);
                names.UnionWith(node.Output);
            }

            names.UnionWith(_graph.Input.Select(input => input.Name));
            names.UnionWith(_graph.Output.Select(output => output.Name));
            names.UnionWith(_graph.Initializer.Select(initializer => initializer.Name));
            names.UnionWith(_graph.ValueInfo.Select(info => info.Name));
            names.Remove("");
            return names;
        }

        private void Rename(string from, string to)
        {
            if (from == to)
            {
                return;
            }

            foreach (var node in _graph.Node)
            {
                Replace(node.Input, from, to);
                Replace(node.Output, from, to);
            }

            foreach (var info in _graph.Input.Concat(_graph.Output).Concat(_graph.ValueInfo).Where(info => info.Name == from))
            {
                info.Name = to;
            }

            foreach (var initializer in _graph.Initializer.Where(initializer => initializer.Name == from))
            {
                initializer.Name = to;
            }
        }

        private static void Replace(Google.Protobuf.Collections.RepeatedField<string> names, string from, string to)
        {
            for (var i = 0; i < names.Count; i++)
            {
                if (names[i] == from)
                {
                    names[i] = to;
                }
            }
        }

        /// <summary>Drops the nodes, initializers and value infos no output needs any more.</summary>
        private void Prune()
        {
            var needed = new HashSet<string>(_graph.Output.Select(output => output.Name), StringComparer.Ordinal);
            var kept = new List<NodeProto>();
            for (var i = _graph.Node.Count - 1; i >= 0; i--)
            {
                var node = _graph.Node[i];
                if (node.Output.Any(needed.Contains))
                {
                    kept.Add(node);
                    needed.UnionWith(node.Input);
                }
            }

            kept.Reverse();
            _graph.Node.Clear();
            _graph.Node.AddRange(kept);
            var initializers = _graph.Initializer.Where(initializer => needed.Contains(initializer.Name)).ToList();
            _graph.Initializer.Clear();
            _graph.Initializer.AddRange(initializers);
            var infos = _graph.ValueInfo.Where(info => needed.Contains(info.Name)).ToList();
            _graph.ValueInfo.Clear();
            _graph.ValueInfo.AddRange(infos);
        }

        /// <summary>The added operators (Cast, Reshape, ArgMax, Less, Not, Concat, Sub, Identity) need opset 9 of the default domain.</summary>
        private void EnsureOpset()
        {
            const long minimum = 9;
            var onnx = candidate.OpsetImport.FirstOrDefault(opset => opset.Domain is "" or "ai.onnx");
            if (onnx is null)
            {
                candidate.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = minimum });
            }
            else if (onnx.Version < minimum)
            {
                onnx.Version = minimum;
            }
        }

        private static List<ValueInfoProto> RealInputs(GraphProto graph)
        {
            var initializers = graph.Initializer.Select(initializer => initializer.Name).ToHashSet(StringComparer.Ordinal);
            return [.. graph.Input.Where(input => !initializers.Contains(input.Name))];
        }

        private static int ElementType(ValueInfoProto info) => info.Type?.TensorType?.ElemType ?? 0;

        private static long[] Shape(ValueInfoProto info) =>
            info.Type?.TensorType?.Shape is { } shape
                ? [.. shape.Dim.Select(dim => dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dim.DimValue > 0 ? dim.DimValue : -1L)]
                : [];

        private static long Width(long[] shape) => shape.Length switch
        {
            1 => 1,
            2 => shape[1],
            _ => -1,
        };

        private static string Describe(ValueInfoProto info) =>
            $"{info.Name} {OnnxElementTypes.ToDatatype(ElementType(info))} [{string.Join(", ", Shape(info))}]";

        private static TrainingFailedException Fail(string reason) => new($"the candidate cannot have its parent's signature: {reason}");
    }
}
