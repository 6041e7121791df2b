using Google.Protobuf;
using Onnx;

namespace MlopsAspire.Training.Tests;

/// <summary>
/// Parent models as a user brings them, built with OnnxSharp: linear models on input "x" FP32 [N, 3] with outputs of
/// the user's names, datatypes and shapes (and none of ML.NET's).
/// </summary>
public static class ParentModels
{
    public const string Input = "x";

    /// <summary>A binary classifier: "p" FP32 [N, 1] = σ(x·w + b).</summary>
    public static byte[] Binary(float[] weights, float bias = 0) => Build(weights, 1, bias, (graph, margin) =>
    {
        graph.Node.Add(new NodeProto { OpType = "Sigmoid", Input = { margin }, Output = { "p" } });
        graph.Output.Add(ValueInfo("p", TensorProto.Types.DataType.Float, -1, 1));
    });

    /// <summary>
    /// A binary classifier with "probabilities" FP64 [N, 2] (columns: negative, positive) and "label" INT64 [N].
    /// </summary>
    public static byte[] BinaryWithTwoColumnsAndLabel(float[] weights) => Build(weights, 1, 0, (graph, margin) =>
    {
        graph.Node.Add(new NodeProto { OpType = "Neg", Input = { margin }, Output = { "negative_margin" } });
        graph.Node.Add(new NodeProto { OpType = "Concat", Input = { "negative_margin", margin }, Output = { "margins" }, Attribute = { Int("axis", 1) } });
        graph.Node.Add(new NodeProto { OpType = "Softmax", Input = { "margins" }, Output = { "probabilities_fp32" }, Attribute = { Int("axis", 1) } });
        graph.Node.Add(new NodeProto { OpType = "Cast", Input = { "probabilities_fp32" }, Output = { "probabilities" }, Attribute = { Int("to", (long)TensorProto.Types.DataType.Double) } });
        graph.Node.Add(new NodeProto { OpType = "ArgMax", Input = { "probabilities_fp32" }, Output = { "label" }, Attribute = { Int("axis", 1), Int("keepdims", 0) } });
        graph.Output.Add(ValueInfo("probabilities", TensorProto.Types.DataType.Double, -1, 2));
        graph.Output.Add(ValueInfo("label", TensorProto.Types.DataType.Int64, -1));
    });

    /// <summary>A multiclass classifier: "probabilities" FP32 [N, K] (softmax of x·W + b) and "label" INT64 [N].</summary>
    public static byte[] Multiclass(float[] weights, int classes) => Build(weights, classes, 0, (graph, margin) =>
    {
        graph.Node.Add(new NodeProto { OpType = "Softmax", Input = { margin }, Output = { "probabilities" }, Attribute = { Int("axis", 1) } });
        graph.Node.Add(new NodeProto { OpType = "ArgMax", Input = { margin }, Output = { "label" }, Attribute = { Int("axis", 1), Int("keepdims", 0) } });
        graph.Output.Add(ValueInfo("probabilities", TensorProto.Types.DataType.Float, -1, classes));
        graph.Output.Add(ValueInfo("label", TensorProto.Types.DataType.Int64, -1));
    });

    /// <summary>A regression: "y" FP32 [N] = x·w + b.</summary>
    public static byte[] Regression(float[] weights, float bias) => Build(weights, 1, bias, (graph, margin) =>
    {
        graph.Initializer.Add(new TensorProto { Name = "rows", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { -1 } });
        graph.Node.Add(new NodeProto { OpType = "Reshape", Input = { margin, "rows" }, Output = { "y" } });
        graph.Output.Add(ValueInfo("y", TensorProto.Types.DataType.Float, -1));
    });

    /// <summary>A model with one extra output the contract gives no role: "embedding" FP32 [N, 3] beside "p".</summary>
    public static byte[] BinaryWithEmbedding(float[] weights) => Build(weights, 1, 0, (graph, margin) =>
    {
        graph.Node.Add(new NodeProto { OpType = "Sigmoid", Input = { margin }, Output = { "p" } });
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { Input }, Output = { "embedding" } });
        graph.Output.Add(ValueInfo("p", TensorProto.Types.DataType.Float, -1, 1));
        graph.Output.Add(ValueInfo("embedding", TensorProto.Types.DataType.Float, -1, 3));
    });

    private static byte[] Build(float[] weights, int columns, float bias, Action<GraphProto, string> outputs)
    {
        var graph = new GraphProto { Name = "parent" };
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { TabularData.Features, columns } };
        w.FloatData.AddRange(weights);
        graph.Initializer.Add(w);
        graph.Initializer.Add(new TensorProto { Name = "b", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 1 }, FloatData = { bias } });
        graph.Node.Add(new NodeProto { OpType = "MatMul", Input = { Input, "w" }, Output = { "xw" } });
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { "xw", "b" }, Output = { "margin" } });
        graph.Input.Add(ValueInfo(Input, TensorProto.Types.DataType.Float, -1, TabularData.Features));
        outputs(graph, "margin");
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "user" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
