#!/usr/bin/env bash
# Builds everything perf/gpu/check.sh needs on a CUDA machine that has no .NET SDK and no network:
# a self-contained publish of the GPU check (CUDA flavour of ONNX Runtime) plus the demo models, as one
# xz archive split into parts small enough to copy one at a time.
#   perf/gpu/pack.sh [PART_MB]      -> perf/gpu/.payload/payload.tar.xz.part-*
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
part_mb="${1:-56}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Build from the committed tree so that restoring the GPU flavour never touches this checkout's obj folders.
git -C "$root" archive HEAD | tar x -C "$work"
(cd "$work" && dotnet run perf/gpu/export-models.cs -- "$work/payload/models")
dotnet publish "$work/perf/MlopsAspire.GpuCheck" -c Release -r linux-x64 --self-contained \
  -p:OnnxRuntimeFlavor=Gpu -o "$work/payload/app" --nologo
cp "$root/perf/gpu/check.sh" "$work/payload/"

out="$root/perf/gpu/.payload"
rm -rf "$out" && mkdir -p "$out"
tar -C "$work" -cf - payload | xz -6 -T0 | split -b "${part_mb}M" -d - "$out/payload.tar.xz.part-"
(cd "$out" && sha256sum payload.tar.xz.part-* > SHA256SUMS)
ls -la "$out"
