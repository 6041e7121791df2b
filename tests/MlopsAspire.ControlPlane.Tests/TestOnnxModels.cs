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

    /// <summary>A linear regression as a user brings one: "x" FP32 [N, k] to "y" FP32 [N, 1] = x·w.</summary>
    public static byte[] Linear(float[] weights)
    {
        var graph = new GraphProto { Name = "linear" };
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { weights.Length, 1 } };
        w.FloatData.AddRange(weights);
        graph.Initializer.Add(w);
        graph.Node.Add(new NodeProto { OpType = "MatMul", Input = { InputName, "w" }, Output = { OutputName } });
        graph.Input.Add(ValueInfo(InputName, weights.Length));
        graph.Output.Add(ValueInfo(OutputName, 1));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    /// <summary>
    /// A softmax classifier as a user brings one: "x" FP32 [N, k] to "probabilities" FP32 [N, c] = softmax(x·W), with
    /// <paramref name="weights"/> row-major k × c.
    /// </summary>
    public static byte[] Softmax(float[] weights, int classes)
    {
        var graph = new GraphProto { Name = "softmax" };
        var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, Dims = { weights.Length / classes, classes } };
        w.FloatData.AddRange(weights);
        graph.Initializer.Add(w);
        graph.Node.Add(new NodeProto { OpType = "MatMul", Input = { InputName, "w" }, Output = { "logits" } });
        graph.Node.Add(new NodeProto { OpType = "Softmax", Input = { "logits" }, Output = { "probabilities" } });
        graph.Input.Add(ValueInfo(InputName, weights.Length / classes));
        graph.Output.Add(ValueInfo("probabilities", classes));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    /// <summary>
    /// A model of a few hundred bytes that asks for <paramref name="bytes"/> of memory when it is loaded or run:
    /// <c>ConstantOfShape</c> makes an FP32 tensor of that size, which is summed into y = x + sum (so y = x).
    /// </summary>
    public static byte[] ConstantOfShape(long bytes)
    {
        var graph = new GraphProto { Name = "constant-of-shape" };
        var shape = new TensorProto { Name = "shape", DataType = (int)TensorProto.Types.DataType.Int64 };
        shape.Dims.Add(1);
        shape.Int64Data.Add(bytes / sizeof(float));
        graph.Initializer.Add(shape);
        graph.Node.Add(new NodeProto
        {
            OpType = "ConstantOfShape",
            Input = { "shape" },
            Output = { "large" },
            Attribute = { new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OneElement("value", 0f) } },
        });
        graph.Node.Add(new NodeProto { OpType = "ReduceSum", Input = { "large" }, Output = { "sum" } });
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { InputName, "sum" }, Output = { OutputName } });
        return Model(graph);
    }

    /// <summary>
    /// y = x + bias where the bias is stored outside the model, in <paramref name="location"/> (16 bytes of FP32) relative
    /// to wherever the model is loaded from.
    /// </summary>
    public static byte[] AddExternalBias(string location)
    {
        var graph = new GraphProto { Name = "add-external-bias" };
        var biasTensor = new TensorProto
        {
            Name = "bias",
            DataType = (int)TensorProto.Types.DataType.Float,
            DataLocation = TensorProto.Types.DataLocation.External,
        };
        biasTensor.Dims.Add(Features);
        biasTensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
        biasTensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "0" });
        biasTensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = (Features * sizeof(float)).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        graph.Initializer.Add(biasTensor);
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { InputName, "bias" }, Output = { OutputName } });
        return Model(graph);
    }

    /// <summary>The bytes <see cref="AddExternalBias"/> expects in its external file: the bias repeated.</summary>
    public static byte[] ExternalBiasFile(float bias) =>
        [.. Enumerable.Repeat(bias, Features).SelectMany(BitConverter.GetBytes)];

    /// <summary>
    /// A small model that never finishes its first run (nor, if ONNX Runtime folds it, its load): a Loop of 10^15
    /// iterations adding one, whose result is added to x.
    /// </summary>
    public static byte[] EndlessLoop()
    {
        var body = new GraphProto { Name = "count" };
        body.Input.Add(ScalarInfo("iteration", TensorProto.Types.DataType.Int64));
        body.Input.Add(ScalarInfo("condition_in", TensorProto.Types.DataType.Bool));
        body.Input.Add(ScalarInfo("count_in", TensorProto.Types.DataType.Float));
        body.Initializer.Add(Scalar("one", 1f));
        body.Node.Add(new NodeProto { OpType = "Identity", Input = { "condition_in" }, Output = { "condition_out" } });
        body.Node.Add(new NodeProto { OpType = "Add", Input = { "count_in", "one" }, Output = { "count_out" } });
        body.Output.Add(ScalarInfo("condition_out", TensorProto.Types.DataType.Bool));
        body.Output.Add(ScalarInfo("count_out", TensorProto.Types.DataType.Float));

        var graph = new GraphProto { Name = "endless-loop" };
        var trips = new TensorProto { Name = "trips", DataType = (int)TensorProto.Types.DataType.Int64 };
        trips.Int64Data.Add(1_000_000_000_000_000);
        graph.Initializer.Add(trips);
        var condition = new TensorProto { Name = "condition", DataType = (int)TensorProto.Types.DataType.Bool };
        condition.Int32Data.Add(1);
        graph.Initializer.Add(condition);
        graph.Initializer.Add(Scalar("start", 0f));
        graph.Node.Add(new NodeProto
        {
            OpType = "Loop",
            Input = { "trips", "condition", "start" },
            Output = { "count" },
            Attribute = { new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body } },
        });
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { InputName, "count" }, Output = { OutputName } });
        return Model(graph);
    }

    private static byte[] Model(GraphProto graph)
    {
        graph.Input.Add(ValueInfo(InputName));
        graph.Output.Add(ValueInfo(OutputName));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static TensorProto OneElement(string name, float value)
    {
        var tensor = Scalar(name, value);
        tensor.Dims.Add(1);
        return tensor;
    }

    private static TensorProto Scalar(string name, float value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.FloatData.Add(value);
        return tensor;
    }

    private static ValueInfoProto ScalarInfo(string name, TensorProto.Types.DataType type) => new()
    {
        Name = name,
        Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() } },
    };

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
