using Google.Protobuf;
using Onnx;

namespace MlopsAspire.ControlPlane.Tests;

/// <summary>Small real ONNX models (y = x + bias, FP32 [-1, 4]); each bias gives different bytes, so a different version.</summary>
public static class TestOnnxModels
{
    public const string InputName = "x";
    public const string OutputName = "y";
    public const int Features = 4;

    public static byte[] AddBias(float bias)
    {
        var graph = new GraphProto { Name = "add-bias" };
        var biasTensor = new TensorProto { Name = "bias", DataType = (int)TensorProto.Types.DataType.Float };
        biasTensor.Dims.Add(Features);
        biasTensor.FloatData.Add(Enumerable.Repeat(bias, Features));
        graph.Initializer.Add(biasTensor);
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { InputName, "bias" }, Output = { OutputName } });
        graph.Input.Add(ValueInfo(InputName));
        graph.Output.Add(ValueInfo(OutputName));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = Features });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
