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
        foreach (var dim in shape)
        {
            tensorShape.Dim.Add(dim < 0
                ? new TensorShapeProto.Types.Dimension { DimParam = "n" }
                : new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = tensorShape } },
        };
    }
}
