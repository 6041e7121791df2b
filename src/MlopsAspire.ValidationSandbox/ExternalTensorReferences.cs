using System.Text;

namespace MlopsAspire.ValidationSandbox;

/// <summary>
/// Finds the tensors of an ONNX file that keep their data outside it (<c>data_location: EXTERNAL</c>), in the main
/// graph, nested graphs (If, Loop, Scan bodies), functions and training graphs. Reads the protobuf wire format from a
/// stream and skips everything else, so that a large artifact costs no memory; a file that is not well-formed
/// protobuf is left to ONNX Runtime to refuse.
/// </summary>
public static class ExternalTensorReferences
{
    // Field numbers of onnx.proto (IR version 10).
    private const int ModelGraph = 7, ModelTrainingInfo = 20, ModelFunctions = 25;
    private const int TrainingInitialization = 1, TrainingAlgorithm = 2;
    private const int FunctionNode = 7, FunctionAttributeProto = 11;
    private const int GraphNode = 1, GraphInitializer = 5, GraphSparseInitializer = 15;
    private const int NodeAttribute = 5;
    private const int AttributeTensor = 5, AttributeGraph = 6, AttributeTensors = 10, AttributeGraphs = 11, AttributeSparseTensor = 22, AttributeSparseTensors = 23;
    private const int SparseValues = 1, SparseIndices = 2;
    private const int TensorName = 8, TensorExternalData = 13, TensorDataLocation = 14;
    private const int EntryKey = 1, EntryValue = 2;
    private const int External = 1;

    /// <summary>Nested graphs deeper than this are not a model anyone exported; stop rather than recurse without end.</summary>
    private const int MaxDepth = 64;

    private const int MaxNameBytes = 4096;

    /// <summary>Every external tensor of the model in <paramref name="path"/>; empty when none (or when it is not protobuf).</summary>
    public static IReadOnlyList<ExternalTensorReference> Find(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024);
        var found = new List<ExternalTensorReference>();
        try
        {
            new Scanner(stream, found).Message(stream.Length, depth: 0, Kind.Model);
        }
        catch (FormatException)
        {
            // Not an ONNX model; ONNX Runtime says so in its own words.
        }

        return found;
    }

    private enum Kind
    {
        Model,
        TrainingInfo,
        Function,
        Graph,
        Node,
        Attribute,
        SparseTensor,
        Tensor,
    }

    private sealed class Scanner(Stream stream, List<ExternalTensorReference> found)
    {
        public void Message(long end, int depth, Kind kind)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException("nested too deeply");
            }

            string? tensorName = null, location = null;
            var external = false;
            while (stream.Position < end)
            {
                var tag = Varint();
                var field = (int)(tag >> 3);
                var wireType = (int)(tag & 7);
                if (wireType == 2)
                {
                    var length = (long)Varint();
                    var fieldEnd = stream.Position + length;
                    if (length < 0 || fieldEnd > end)
                    {
                        throw new FormatException("a field runs past its message");
                    }

                    if (kind == Kind.Tensor && field == TensorName)
                    {
                        tensorName = Text(length);
                    }
                    else if (kind == Kind.Tensor && field == TensorExternalData)
                    {
                        location ??= LocationEntry(fieldEnd);
                    }
                    else if (Child(kind, field) is { } child)
                    {
                        Message(fieldEnd, depth + 1, child);
                    }

                    stream.Position = fieldEnd;
                }
                else if (kind == Kind.Tensor && field == TensorDataLocation && wireType == 0)
                {
                    external = Varint() == External;
                }
                else
                {
                    Skip(wireType, end);
                }
            }

            if (kind == Kind.Tensor && (external || location is not null))
            {
                found.Add(new ExternalTensorReference(tensorName ?? "(unnamed)", location ?? "(no location)"));
            }
        }

        private static Kind? Child(Kind parent, int field) => (parent, field) switch
        {
            (Kind.Model, ModelGraph) => Kind.Graph,
            (Kind.Model, ModelTrainingInfo) => Kind.TrainingInfo,
            (Kind.Model, ModelFunctions) => Kind.Function,
            (Kind.TrainingInfo, TrainingInitialization or TrainingAlgorithm) => Kind.Graph,
            (Kind.Function, FunctionNode) => Kind.Node,
            (Kind.Function, FunctionAttributeProto) => Kind.Attribute,
            (Kind.Graph, GraphNode) => Kind.Node,
            (Kind.Graph, GraphInitializer) => Kind.Tensor,
            (Kind.Graph, GraphSparseInitializer) => Kind.SparseTensor,
            (Kind.Node, NodeAttribute) => Kind.Attribute,
            (Kind.Attribute, AttributeTensor or AttributeTensors) => Kind.Tensor,
            (Kind.Attribute, AttributeGraph or AttributeGraphs) => Kind.Graph,
            (Kind.Attribute, AttributeSparseTensor or AttributeSparseTensors) => Kind.SparseTensor,
            (Kind.SparseTensor, SparseValues or SparseIndices) => Kind.Tensor,
            _ => null,
        };

        /// <summary>The value of an external_data entry whose key is "location", else null.</summary>
        private string? LocationEntry(long end)
        {
            string? key = null, value = null;
            while (stream.Position < end)
            {
                var tag = Varint();
                var wireType = (int)(tag & 7);
                if (wireType != 2)
                {
                    Skip(wireType, end);
                    continue;
                }

                var length = (long)Varint();
                if (length < 0 || stream.Position + length > end)
                {
                    throw new FormatException("a field runs past its message");
                }

                switch ((int)(tag >> 3))
                {
                    case EntryKey:
                        key = Text(length);
                        break;
                    case EntryValue:
                        value = Text(length);
                        break;
                    default:
                        stream.Position += length;
                        break;
                }
            }

            return key == "location" ? value : null;
        }

        private string Text(long length)
        {
            var kept = (int)Math.Min(length, MaxNameBytes);
            var bytes = new byte[kept];
            stream.ReadExactly(bytes);
            stream.Position += length - kept;
            return Encoding.UTF8.GetString(bytes);
        }

        private void Skip(int wireType, long end)
        {
            switch (wireType)
            {
                case 0:
                    Varint();
                    break;
                case 1:
                    stream.Position += 8;
                    break;
                case 5:
                    stream.Position += 4;
                    break;
                default:
                    throw new FormatException($"wire type {wireType} has no place in an ONNX model");
            }

            if (stream.Position > end)
            {
                throw new FormatException("a field runs past its message");
            }
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var next = stream.ReadByte();
                if (next < 0)
                {
                    throw new FormatException("truncated varint");
                }

                value |= (ulong)(next & 0x7F) << shift;
                if ((next & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new FormatException("varint longer than 10 bytes");
        }
    }
}
