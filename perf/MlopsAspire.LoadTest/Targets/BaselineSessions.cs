using System.Runtime.InteropServices;
using Inference;
using Microsoft.ML.OnnxRuntime;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>
/// ONNX Runtime sessions for the baselines, created with the settings our replica uses (full graph
/// optimisation, sequential execution, thread spinning off, the same intra-op thread count), so that a
/// difference in the results is the serving path's and not the session's. On CUDA they use the provider's
/// defaults on device 0, as the replica does.
/// </summary>
public static class BaselineSessions
{
    /// <exception cref="InvalidOperationException">CUDA was asked for and cannot start in this process: a baseline
    /// never falls back to the CPU, so that a report labelled CUDA measured CUDA.</exception>
    public static InferenceSession Create(byte[] model, int intraOpThreads, ExecutionProvider provider)
    {
        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Math.Max(0, intraOpThreads),
            InterOpNumThreads = 1,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        if (provider != ExecutionProvider.Cuda)
        {
            return new InferenceSession(model, options);
        }

        try
        {
            options.AppendExecutionProvider_CUDA(0);
            return new InferenceSession(model, options);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The CPU runtime package lacks the entry point; the GPU one fails to load its CUDA libraries without a GPU.
            throw CudaUnavailable($"{exception.GetType().Name}: {FirstLine(exception.Message)}", exception);
        }
    }

    /// <summary>The one-line error for <c>--provider cuda</c> where CUDA does not run, naming what it takes.</summary>
    public static InvalidOperationException CudaUnavailable(string reason, Exception? inner = null) => new(
        $"--provider cuda: CUDA could not start ({reason}); run a build published with -p:OnnxRuntimeFlavor=Gpu "
        + "on a machine whose CUDA 13 and cuDNN 9 libraries are on LD_LIBRARY_PATH (perf/gpu/served.sh sets it up), or use --provider cpu",
        inner);

    private static string FirstLine(string text)
    {
        var line = text.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).ToString();
    }

    /// <summary>An FP32 input tensor of a protocol request as a float array (raw or typed contents).</summary>
    public static float[] ReadFp32Input(ModelInferRequest request, int inputIndex)
    {
        var input = request.Inputs[inputIndex];
        if (input.Datatype != "FP32")
        {
            throw new NotSupportedException($"input '{input.Name}' is {input.Datatype}; the baseline reads FP32 only");
        }

        return request.RawInputContents.Count > inputIndex
            ? MemoryMarshal.Cast<byte, float>(request.RawInputContents[inputIndex].Span).ToArray()
            : [.. input.Contents.Fp32Contents];
    }
}
