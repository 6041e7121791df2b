using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MlopsAspire.Serving;

// Compares CUDA with CPU on the demo models, then times both by batch size.
// Usage: MlopsAspire.GpuCheck --models DIR [--out FILE.md] [--seconds 1.0]
// DIR holds fraud.onnx and resnet18.onnx (perf/gpu/export-models.cs writes them).
var arguments = GpuCheckArguments.Parse(args);
if (arguments is null)
{
    Console.Error.WriteLine("usage: MlopsAspire.GpuCheck --models DIR [--out FILE.md] [--seconds 1.0]");
    return 64;
}

var report = new StringBuilder();
void Say(string line)
{
    Console.WriteLine(line);
    report.AppendLine(line);
}

var checks = new[]
{
    new ModelCheck("fraud", "fraud.onnx", RowsPerBatch: [1, 8, 64, 256, 1024, 4096], Tolerance: 1e-5),
    // cuDNN may use TF32 for convolutions, so ResNet is compared on relative L2 error with a looser bound.
    new ModelCheck("resnet18", "resnet18.onnx", RowsPerBatch: [1, 2, 4, 8, 16, 32, 64, 128], Tolerance: 1e-2),
};

Say($"# CUDA check ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} CPU threads, {RuntimeInformation.OSDescription})");
Say(string.Empty);
var failed = false;
var throughputRows = new List<string>();
foreach (var check in checks)
{
    var path = Path.Combine(arguments.ModelDirectory, check.FileName);
    using var cpu = OnnxModel.Load(check.Name, "1", path, new OnnxModelOptions { ExecutionProvider = ExecutionProvider.Cpu });
    using var gpu = OnnxModel.Load(check.Name, "1", path, new OnnxModelOptions { ExecutionProvider = ExecutionProvider.Cuda }, NullLogger.Instance);
    Say($"## {check.Name}: CPU session on {cpu.ExecutionProvider}, CUDA session on {gpu.ExecutionProvider}");
    if (gpu.ExecutionProvider != ExecutionProvider.Cuda)
    {
        Say("CUDA could not start; the comparison below is CPU against CPU.");
        failed = true;
    }

    Say(string.Empty);
    Say("| batch | output | max abs diff | relative L2 error | verdict |");
    Say("|---:|---|---:|---:|---|");
    foreach (var batch in new[] { 1, 7, 32 })
    {
        var inputs = SyntheticInputs.Create(cpu, batch, seed: batch);
        var outputNames = cpu.Signature.Outputs.Where(output => output.Datatype == TensorDatatype.Fp32).Select(output => output.Name).ToList();
        var expected = Runner.RunFloats(cpu, inputs, outputNames);
        var actual = Runner.RunFloats(gpu, inputs, outputNames);
        for (var i = 0; i < outputNames.Count; i++)
        {
            var (maxAbs, relativeL2) = Compare(expected[i], actual[i]);
            var ok = relativeL2 <= check.Tolerance;
            failed |= !ok;
            Say($"| {batch} | {outputNames[i]} | {maxAbs:E2} | {relativeL2:E2} | {(ok ? "ok" : $"FAIL (> {check.Tolerance:E0})")} |");
        }
    }

    Say(string.Empty);
    foreach (var batch in check.RowsPerBatch)
    {
        var inputs = SyntheticInputs.Create(cpu, batch, seed: 7);
        var cpuTiming = Runner.Time(cpu, inputs, arguments.SecondsPerPoint);
        var gpuTiming = Runner.Time(gpu, inputs, arguments.SecondsPerPoint);
        throughputRows.Add(string.Create(
            CultureInfo.InvariantCulture,
            $"| {check.Name} | {batch} | {cpuTiming.RowsPerSecond(batch):N0} | {cpuTiming.MedianMilliseconds:F3} | {gpuTiming.RowsPerSecond(batch):N0} | {gpuTiming.MedianMilliseconds:F3} | {gpuTiming.RowsPerSecond(batch) / cpuTiming.RowsPerSecond(batch):F1}x |"));
        Console.WriteLine(throughputRows[^1]);
    }
}

Say(string.Empty);
Say("## Throughput by batch size (one caller, session Run including host/device copies)");
Say(string.Empty);
Say("| model | batch | CPU rows/s | CPU median ms | CUDA rows/s | CUDA median ms | CUDA ÷ CPU |");
Say("|---|---:|---:|---:|---:|---:|---:|");
foreach (var row in throughputRows)
{
    report.AppendLine(row);
}

Console.WriteLine("(rows above)");
Say(string.Empty);
Say(failed ? "RESULT: FAIL" : "RESULT: PASS");
if (arguments.OutputFile is not null)
{
    File.WriteAllText(arguments.OutputFile, report.ToString());
}

return failed ? 1 : 0;

static (double MaxAbs, double RelativeL2) Compare(float[] expected, float[] actual)
{
    if (expected.Length != actual.Length)
    {
        return (double.PositiveInfinity, double.PositiveInfinity);
    }

    double maxAbs = 0, difference = 0, norm = 0;
    for (var i = 0; i < expected.Length; i++)
    {
        var delta = (double)actual[i] - expected[i];
        maxAbs = Math.Max(maxAbs, Math.Abs(delta));
        difference += delta * delta;
        norm += (double)expected[i] * expected[i];
    }

    return (maxAbs, Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-12));
}

internal sealed record ModelCheck(string Name, string FileName, int[] RowsPerBatch, double Tolerance);
