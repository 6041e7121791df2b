using Microsoft.ML.OnnxRuntime;
using MlopsAspire.LoadTest.Workloads;
using MlopsAspire.Serving;

namespace MlopsAspire.LoadTest.Targets;

/// <summary>
/// The compute limit: <see cref="InferenceSession"/>.Run in a loop in this process on the same model, inputs,
/// batch size, threads and execution provider as the served requests, with no transport and no serving code. Completes
/// synchronously, so each closed-model client is one thread running the session.
/// </summary>
public sealed class RawOnnxRuntimeSender : IRequestSender
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly (float[] Values, long[] Shape)[][] _inputs;
    private readonly string[] _outputNames;
    private long _next = -1;

    public RawOnnxRuntimeSender(byte[] model, InferRequestSet requests, int intraOpThreads, ExecutionProvider provider)
    {
        _session = BaselineSessions.Create(model, intraOpThreads, provider);
        var first = requests.First;
        _inputNames = [.. first.Inputs.Select(input => input.Name)];
        _outputNames = [.. first.Outputs.Select(output => output.Name)];
        _inputs = [.. requests.All.Select(request => request.Inputs
            .Select((input, i) => (BaselineSessions.ReadFp32Input(request, i), input.Shape.ToArray()))
            .ToArray())];
    }

    public ValueTask SendAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var inputs = _inputs[(int)((ulong)Interlocked.Increment(ref _next) % (ulong)_inputs.Length)];
        var values = new OrtValue[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                values[i] = OrtValue.CreateTensorValueFromMemory(inputs[i].Values, inputs[i].Shape);
            }

            using var outputs = _session.Run(_runOptions, _inputNames, values, _outputNames);
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _session.Dispose();
        _runOptions.Dispose();
        return ValueTask.CompletedTask;
    }
}
