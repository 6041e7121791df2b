#!/usr/bin/env bash
# Builds everything perf/gpu/check.sh and perf/gpu/served.sh need on a CUDA machine that has no .NET SDK and no
# network: self-contained publishes of the GPU check (app/) and of the load generator (loadtest/), both on the CUDA
# flavour of ONNX Runtime, as one xz archive split into parts small enough to copy one at a time. The two publishes
# share the runtime and ONNX Runtime's libraries (the CUDA provider alone is 284 MB): files that are the same in
# both are stored once, as hard links. The load generator writes the demo models on the GPU machine itself.
#   perf/gpu/pack.sh [PART_MB]      -> perf/gpu/.payload/payload.tar.xz.part-* and SHA256SUMS
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
part_mb="${1:-56}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Build from the committed tree so that restoring the GPU flavour never touches this checkout's obj folders.
git -C "$root" archive HEAD | tar x -C "$work"
for project in GpuCheck:app LoadTest:loadtest; do
  dotnet publish "$work/perf/MlopsAspire.${project%%:*}" -c Release -r linux-x64 --self-contained \
    -p:OnnxRuntimeFlavor=Gpu -o "$work/payload/${project#*:}" --nologo
done
(cd "$work/payload/loadtest" && find . -type f -print0) | while IFS= read -r -d '' file; do
  if cmp -s "$work/payload/loadtest/$file" "$work/payload/app/$file"; then
    ln -f "$work/payload/app/$file" "$work/payload/loadtest/$file"
  fi
done
cp "$root"/perf/gpu/{check.sh,served.sh,payload.sh} "$work/payload/"

out="$root/perf/gpu/.payload"
rm -rf "$out" && mkdir -p "$out"
tar -C "$work" -cf - payload | xz -6 -T0 | split -b "${part_mb}M" -d - "$out/payload.tar.xz.part-"
(cd "$out" && sha256sum payload.tar.xz.part-* > SHA256SUMS)
du -sh --apparent-size "$work/payload"/{app,loadtest}
ls -la "$out"
