using Onnx;

namespace MlopsAspire.LogisticRegressionTrainer;

/// <summary>
/// Writes a logistic regression as an ONNX graph (MatMul, Add, Sigmoid) with exactly the parent's input and its one
/// output: an FP32 [N, F] input and an FP32 probability of [N, 1] or [N].
/// </summary>
public static class LinearOnnxModel
{
    public static ModelProto Write(LogisticRegression model, ModelProto parent, int featureCount)
    {
        var initializers = parent.Graph.Initializer.Select(initializer => initializer.Name).ToHashSet();
        var inputs = parent.Graph.Input.Where(input => !initializers.Contains(input.Name)).ToList();
        if (inputs.Count != 1 || inputs[0].Type.TensorType is not { ElemType: (int)TensorProto.Types.DataType.Float, Shape.Dim.Count: 2 } input)
        {
            throw new UsageException($"the parent has inputs {string.Join(", ", inputs.Select(i => i.Name))}; this trainer writes models of one FP32 [N, F] input");
        }

        if (input.Shape.Dim[1].DimValue is > 0 and var width && width != featureCount)
        {
            throw new UsageException($"the parent's input takes {width} features; the data has {featureCount}");
        }

        if (parent.Graph.Output is not [{ Type.TensorType: { ElemType: (int)TensorProto.Types.DataType.Float } outputType } output]
            || !(outputType.Shape.Dim.Count == 1 || (outputType.Shape.Dim.Count == 2 && outputType.Shape.Dim[1].DimValue == 1)))
        {
            throw new UsageException($"the parent has outputs {string.Join(", ", parent.Graph.Output.Select(o => o.Name))}; this trainer writes one FP32 probability of [N, 1] or [N]");
        }

        var graph = new GraphProto { Name = "logistic-regression" };
        var weights = new TensorProto { Name = "weights", DataType = (int)TensorProto.Types.DataType.Float, Dims = { featureCount, 1 } };
        weights.FloatData.AddRange(model.Weights.Select(weight => (float)weight));
        graph.Initializer.Add(weights);
        graph.Initializer.Add(new TensorProto { Name = "bias", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 1 }, FloatData = { (float)model.Bias } });
        graph.Node.Add(new NodeProto { OpType = "MatMul", Input = { inputs[0].Name, "weights" }, Output = { "margin_without_bias" } });
        graph.Node.Add(new NodeProto { OpType = "Add", Input = { "margin_without_bias", "bias" }, Output = { "margin" } });
        if (outputType.Shape.Dim.Count == 2)
        {
            graph.Node.Add(new NodeProto { OpType = "Sigmoid", Input = { "margin" }, Output = { output.Name } });
        }
        else
        {
            graph.Initializer.Add(new TensorProto { Name = "rows", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 1 }, Int64Data = { -1 } });
            graph.Node.Add(new NodeProto { OpType = "Sigmoid", Input = { "margin" }, Output = { "probability" } });
            graph.Node.Add(new NodeProto { OpType = "Reshape", Input = { "probability", "rows" }, Output = { output.Name } });
        }

        graph.Input.Add(inputs[0].Clone());
        graph.Output.Add(output.Clone());
        var written = new ModelProto { IrVersion = 8, ProducerName = "logistic-regression-command", Graph = graph };
        written.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return written;
    }
}
