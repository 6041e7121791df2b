using Google.Protobuf;
using Onnx;

namespace MlopsAspire.Inference.Tests;

/// <summary>Builds a one-node ONNX graph, output = Identity(input), for datatypes the demo models do not use.</summary>
internal static class IdentityModels
{
    /// <param name="elementType">ONNX TensorProto element type (10 = FLOAT16).</param>
    public static byte[] Create(int elementType, string input, string output, long[] shape)
    {
        var graph = new GraphProto { Name = "identity" };
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { input }, Output = { output } });
        graph.Input.Add(ValueInfo(input, elementType, shape));
        graph.Output.Add(ValueInfo(output, elementType, shape));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, int elementType, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        for (var i = 0; i < shape.Length; i++)
        {
            // Each dynamic dimension has its own name: a shared name would tie their sizes together.
            tensorShape.Dim.Add(shape[i] < 0
                ? new TensorShapeProto.Types.Dimension { DimParam = i == 0 ? "n" : $"d{i}" }
                : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = tensorShape } },
        };
    }
}
