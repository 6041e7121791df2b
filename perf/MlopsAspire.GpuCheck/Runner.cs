using System.Diagnostics;
using MlopsAspire.Serving;

internal static class Runner
{
    public static List<float[]> RunFloats(OnnxModel model, IReadOnlyList<InferenceInput> inputs, IReadOnlyList<string> outputNames)
    {
        using var prepared = TensorCodec.PrepareInputs(model, inputs);
        using var outputs = model.Run(prepared, outputNames);
        return [.. outputs.Select(output => output.GetTensorDataAsSpan<float>().ToArray())];
    }

    public static Timing Time(OnnxModel model, IReadOnlyList<InferenceInput> inputs, double seconds)
    {
        using var prepared = TensorCodec.PrepareInputs(model, inputs);
        var outputNames = model.Signature.Outputs.Select(output => output.Name).ToList();
        for (var i = 0; i < 3; i++)
        {
            using var warm = model.Run(prepared, outputNames);
        }

        var durations = new List<double>();
        var total = Stopwatch.StartNew();
        while (durations.Count < 5 || total.Elapsed.TotalSeconds < seconds)
        {
            var started = Stopwatch.GetTimestamp();
            using (model.Run(prepared, outputNames))
            {
            }

            durations.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        durations.Sort();
        return new Timing(durations[durations.Count / 2], durations.Count, durations.Sum() / 1000);
    }
}
