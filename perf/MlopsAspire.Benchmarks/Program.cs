using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Running;

// In-process by default: the benchmarks run in this already-built Release binary instead of a generated project,
// which would inherit the repository's warnings-as-errors build and cost a rebuild per run.
string[] arguments = args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"];
var config = ManualConfig.Create(DefaultConfig.Instance).AddDiagnoser(MemoryDiagnoser.Default);

// Any type of this assembly will do; Program is ambiguous with the inference host's.
BenchmarkSwitcher.FromAssembly(typeof(MlopsAspire.Benchmarks.TensorCodecBenchmarks).Assembly).Run(arguments, config);
