using System.Buffers;

namespace MlopsAspire.Serving;

/// <summary>
/// Byte buffers for tensors (a request's inputs, a batch's concatenated inputs, a request's rows of a batch's
/// outputs): from the shared pool up to <see cref="MostPooledBytes"/>, allocated for their user alone above it. The
/// shared pool keeps what is given back to it (a buffer per thread, more per core) until the GC sees memory pressure,
/// so tensors of tens of megabytes given back from many request threads would hold hundreds of megabytes of the
/// replica for good.
/// </summary>
internal static class TensorBuffers
{
    /// <summary>The largest buffer taken from the shared pool: a ResNet image (602 KB of FP32) fits.</summary>
    public const int MostPooledBytes = 1024 * 1024;

    /// <summary>A buffer of at least <paramref name="length"/> bytes; give it back with <see cref="Return"/>.</summary>
    public static byte[] Rent(int length) =>
        length <= MostPooledBytes ? ArrayPool<byte>.Shared.Rent(Math.Max(1, length)) : GC.AllocateUninitializedArray<byte>(length);

    /// <summary>
    /// Gives back a buffer from <see cref="Rent"/>: to the pool when it came from there (the pool's buffers for
    /// lengths up to the limit are no longer than it), to the GC otherwise.
    /// </summary>
    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= MostPooledBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
