"""Attributes `perf script` samples of a .NET process to the parts of a request path.

Each sample goes to the innermost frame of its stack that names a known part, so that, for example, an allocation
made by the tracer counts as tracing, not as garbage collection. Reads `perf script -F ip,sym,dso` on stdin; prints
each part's share of the samples, and its microseconds per request when --cpu-us-per-request is given.
"""
import argparse
import collections
import re
import sys

PARTS = [
    ("tracing: OpenTelemetry, Activity, DiagnosticListener",
     r"OpenTelemetry|System\.Diagnostics\.Activity|DiagnosticListener|DiagnosticSourceListener|DiagnosticsHandler::|ActivitySource|Propagat"),
    ("metrics: System.Diagnostics.Metrics", r"System\.Diagnostics\.Metrics"),
    ("ONNX Runtime: Run and its interop", r"libonnxruntime|Microsoft\.ML\.OnnxRuntime"),
    ("monitoring: statistics, payload sampling, shadows",
     r"MlopsAspire\.Inference\.Monitoring|MlopsAspire\.Monitoring|PredictionPipeline::Observe|PredictionPipeline::LogPayload|ShadowScorer|MlopsAspire\.Serving\.Statistics|PayloadLog"),
    ("API keys and message limit", r"InferenceApiKey|GrpcMessageLimitStatus::(?!<InvokeAsync>)"),
    ("engine: tensor codec, batcher, repository", r"MlopsAspire\.Serving"),
    ("inference host: service, pipeline, protocol codec", r"MlopsAspire\.Inference"),
    ("protobuf parse and write", r"Google\.Protobuf|MlopsAspire\.Protos"),
    ("naive server", r"NaiveOnnxInferenceService|NaiveModelSessions"),
    ("load generator", r"MlopsAspire\.LoadTest"),
    ("gRPC client and HttpClient HTTP/2", r"Grpc\.Net\.Client|System\.Net\.Http|Grpc\.Core"),
    ("gRPC server, Kestrel HTTP/2, ASP.NET Core", r"Kestrel|Grpc\.AspNetCore|Grpc\.Shared|Microsoft\.AspNetCore|System\.IO\.Pipelines"),
    ("sockets", r"System\.Net\.Sockets|libSystem\.Native"),
    ("thread pool, tasks, async state machines",
     r"System\.Threading|System\.Runtime\.CompilerServices\.Async|AsyncTaskMethodBuilder|ExecutionContext"),
]
COMPILED = [(name, re.compile(pattern)) for name, pattern in PARTS]


def part_of(frames):
    for frame in frames:
        for name, pattern in COMPILED:
            if pattern.search(frame):
                return name
    leaf = frames[0] if frames else ""
    if "kernel" in leaf:
        return "kernel, no managed caller in the stack"
    if "libcoreclr" in leaf or "libclrjit" in leaf:
        return "runtime (GC, JIT, stubs), no managed caller in the stack"
    return "other"


def main():
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--cpu-us-per-request", type=float, default=None)
    options = arguments.parse_args()
    counts = collections.Counter()
    frames = []
    in_sample = False
    for line in sys.stdin:
        if not line.strip():
            if in_sample:
                counts[part_of(frames)] += 1
            frames, in_sample = [], False
        elif line.startswith((" ", "\t")):
            frames.append(line.strip())
            in_sample = True
        else:
            frames, in_sample = [], True
    if in_sample:
        counts[part_of(frames)] += 1
    total = sum(counts.values())
    if total == 0:
        sys.exit("no samples")
    for name, count in counts.most_common():
        share = count / total
        per_request = f"  {share * options.cpu_us_per_request:6.1f} µs" if options.cpu_us_per_request else ""
        print(f"{100 * share:6.2f}%{per_request}  {name}")
    print(f"samples {total}")


if __name__ == "__main__":
    main()
