using Google.Protobuf;
using MlopsAspire.Training;
using Onnx;

namespace MlopsAspire.Serving.Tests;

/// <summary>Models shared by the tests: small hand-built graphs and the trained fraud model (trained once).</summary>
internal static class TestModels
{
    private static readonly Lazy<FraudDemoModel> LazyFraud = new(() => DemoModels.TrainFraud(seed: 42));

    public static FraudDemoModel Fraud => LazyFraud.Value;

    public static OnnxModel LoadFraud(string version = "1") =>
        OnnxModel.Load("fraud", version, Fraud.OnnxModel, new OnnxModelOptions { IntraOpThreads = 1 });

    /// <summary>y = Identity(x) with x of the given datatype and shape (-1 is a symbolic dimension).</summary>
    public static byte[] Identity(TensorDatatype datatype, params long[] shape)
    {
        var graph = new GraphProto { Name = "identity" };
        graph.Node.Add(new NodeProto { OpType = "Identity", Name = "identity", Input = { "x" }, Output = { "y" } });
        graph.Input.Add(ValueInfo("x", datatype, shape));
        graph.Output.Add(ValueInfo("y", datatype, shape));
        return ToModelBytes(graph);
    }

    /// <summary>sum = a + b, both FP32 [-1, 2]: a model with two inputs.</summary>
    public static byte[] AddTwoInputs()
    {
        var graph = new GraphProto { Name = "add" };
        graph.Node.Add(new NodeProto { OpType = "Add", Name = "add", Input = { "a", "b" }, Output = { "sum" } });
        graph.Input.Add(ValueInfo("a", TensorDatatype.Fp32, -1, 2));
        graph.Input.Add(ValueInfo("b", TensorDatatype.Fp32, -1, 2));
        graph.Output.Add(ValueInfo("sum", TensorDatatype.Fp32, -1, 2));
        return ToModelBytes(graph);
    }

    private static byte[] ToModelBytes(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto ValueInfo(string name, TensorDatatype datatype, params long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        for (var i = 0; i < shape.Length; i++)
        {
            tensorShape.Dim.Add(shape[i] < 0
                ? new TensorShapeProto.Types.Dimension { DimParam = $"d{i}" }
                : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)datatype.ToOnnx(), Shape = tensorShape },
            },
        };
    }
}
