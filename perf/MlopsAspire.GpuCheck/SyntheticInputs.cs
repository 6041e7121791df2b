using System.Runtime.InteropServices;
using MlopsAspire.Serving;

/// <summary>Seeded inputs for every FP32 input of a model with its batch dimension set.</summary>
internal static class SyntheticInputs
{
    public static List<InferenceInput> Create(OnnxModel model, int batch, int seed)
    {
        var random = new Random(seed);
        var inputs = new List<InferenceInput>();
        foreach (var input in model.Signature.Inputs)
        {
            var shape = input.Shape.Select((dimension, index) => index == 0 || dimension < 0 ? (index == 0 ? batch : 1) : dimension).ToArray();
            var count = shape.Aggregate(1L, (product, dimension) => product * dimension);
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (float)(random.NextDouble() * 2 - 1);
            }

            inputs.Add(new InferenceInput(input.Name, "FP32", shape, TensorData.Raw(MemoryMarshal.AsBytes(values.AsSpan()).ToArray())));
        }

        return inputs;
    }
}
