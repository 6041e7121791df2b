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

    /// <summary>A logistic regression as a user brings one: "x" FP32 [N, 3] to "p" FP32 [N, 1] = σ(x·w).</summary>
    public static byte[] Logistic(float[] weights)
    {
        var graph = new GraphProto { Name = "logistic" };
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { weights.Length, 1 } };
        w.FloatData.AddRange(weights);
        graph.Initializer.Add(w);
        graph.Node.Add(new NodeProto { OpType = "MatMul", Input = { InputName, "w" }, Output = { "margin" } });
        graph.Node.Add(new NodeProto { OpType = "Sigmoid", Input = { "margin" }, Output = { "p" } });
        graph.Input.Add(ValueInfo(InputName, weights.Length));
        graph.Output.Add(ValueInfo("p", 1));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, int width = Features)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
