using System.Runtime.InteropServices;
using Inference;
using Microsoft.ML.OnnxRuntime;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>
/// ONNX Runtime sessions for the baselines, created with the settings our replica uses (full graph
/// optimisation, sequential execution, thread spinning off, the same intra-op thread count), so that a
/// difference in the results is the serving path's and not the session's.
/// </summary>
public static class BaselineSessions
{
    public static InferenceSession Create(byte[] model, int intraOpThreads)
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
        return new InferenceSession(model, options);
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
