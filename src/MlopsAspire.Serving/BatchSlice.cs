using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlopsAspire.Serving;

/// <summary>A request's rows of one batch output: <paramref name="Length"/> bytes at the start of a buffer from <see cref="TensorBuffers"/>.</summary>
internal readonly record struct BatchSlice(TensorElementType ElementType, long[] Shape, byte[] Buffer, int Length)
{
    public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Length);
}
