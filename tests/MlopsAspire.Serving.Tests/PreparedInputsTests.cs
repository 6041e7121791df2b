using System.Runtime.InteropServices;

namespace MlopsAspire.Serving.Tests;

public sealed class PreparedInputsTests
{
    [Fact]
    public void A_raw_input_is_read_in_place_and_its_onnx_runtime_value_holds_the_same_elements()
    {
        using var model = OnnxModel.Load("id", "1", TestModels.Identity(TensorDatatype.Fp32, -1, 2));
        float[] values = [1.5f, -2, 3, 4.25f];
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

        using var prepared = TensorCodec.PrepareInputs(model, [new InferenceInput("x", "FP32", [2, 2], TensorData.Raw(bytes))]);

        Assert.Equal(bytes, prepared.RawBytes(0).ToArray());
        Assert.Equal([2L, 2L], prepared.Shapes[0]);
        Assert.Equal(values, prepared.Values[0].GetTensorDataAsSpan<float>().ToArray());
        Assert.Same(prepared.Values[0], prepared.Values[0]);
    }

    [Fact]
    public void A_typed_input_is_converted_once_into_the_bytes_its_value_is_created_over()
    {
        using var model = OnnxModel.Load("half", "1", TestModels.Identity(TensorDatatype.Fp16, -1, 2));
        float[] values = [0.5f, -1, 2, 65504];

        using var prepared = TensorCodec.PrepareInputs(model, [new InferenceInput("x", "FP16", [2, 2], TensorData.Typed(values))]);

        var expected = MemoryMarshal.AsBytes(values.Select(value => (Half)value).ToArray().AsSpan()).ToArray();
        Assert.Equal(expected, prepared.RawBytes(0).ToArray());
        Assert.Equal(expected, MemoryMarshal.AsBytes(prepared.Values[0].GetTensorDataAsSpan<Microsoft.ML.OnnxRuntime.Float16>()).ToArray());
    }

    [Fact]
    public void A_string_input_has_no_raw_bytes_and_is_a_value_from_the_start()
    {
        using var model = OnnxModel.Load("text", "1", TestModels.Identity(TensorDatatype.Bytes, -1));
        IReadOnlyList<byte[]> elements = ["hi"u8.ToArray(), [0xFF, 0x00]];

        using var prepared = TensorCodec.PrepareInputs(model, [new InferenceInput("x", "BYTES", [2], TensorData.Typed(elements))]);

        var failure = Assert.Throws<InvalidOperationException>(() => prepared.RawBytes(0));
        Assert.Contains("'x' is a string tensor", failure.Message);
        Assert.Equal("hi", prepared.Values[0].GetStringElement(0));
        Assert.Equal([0xFF, 0x00], prepared.Values[0].GetStringElementAsSpan(1).ToArray());
    }
}
