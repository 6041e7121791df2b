using Google.Protobuf;
using Onnx;

namespace MlopsAspire.Benchmarks;

/// <summary>
/// Tiny ONNX graphs (output = Identity(input)) with the demo models' tensor shapes: what a benchmark of the
/// code around a session needs, without the session's own compute in the numbers.
/// </summary>
internal static class BenchmarkModels
{
    public const string Input = "x";
    public const string Output = "y";

    /// <summary>TensorProto element types.</summary>
    public const int Float = 1;

    /// <summary>FP32 [-1, 12]: one fraud transaction per row.</summary>
    public static readonly long[] FraudRowShape = [-1, 12];

    /// <summary>FP32 [-1, 3, 224, 224]: one ResNet image per row.</summary>
    public static readonly long[] ImageShape = [-1, 3, 224, 224];

    public static byte[] Identity(long[] shape, int elementType = Float)
    {
        var graph = new GraphProto { Name = "identity" };
        graph.Node.Add(new NodeProto { OpType = "Identity", Input = { Input }, Output = { Output } });
        graph.Input.Add(TensorInfo(Input, elementType, shape));
        graph.Output.Add(TensorInfo(Output, elementType, shape));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto TensorInfo(string name, int elementType, long[] shape)
    {
        var dimensions = new TensorShapeProto();
        foreach (var size in shape)
        {
            dimensions.Dim.Add(size < 0
                ? new TensorShapeProto.Types.Dimension { DimParam = "batch" }
                : new TensorShapeProto.Types.Dimension { DimValue = size });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = dimensions } },
        };
    }

    /// <summary>The concrete shape of one row (batch 1).</summary>
    public static long[] OneRow(long[] shape) => [1, .. shape[1..]];

    public static float[] RandomValues(long[] shape, int seed)
    {
        var count = 1L;
        foreach (var size in shape)
        {
            count *= size;
        }

        var random = new Random(seed);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = random.NextSingle();
        }

        return values;
    }
}
