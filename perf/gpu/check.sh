#!/usr/bin/env bash
# On a CUDA machine: checks the CUDA flavour of the serving engine against CPU on both demo models and
# prints throughput by batch size (about 2-3 minutes on one GPU).
#   With a .NET SDK:   perf/gpu/check.sh                 (builds the GPU flavour, then runs)
#   Without one:       perf/gpu/check.sh PAYLOAD_DIR     (uses perf/gpu/pack.sh's parts, reassembled there)
# CUDA 13 and cuDNN 9 libraries are found in the usual places and in Python's nvidia-* wheels.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/payload.sh"
out="${OUT:-$here/.results}"
mkdir -p "$out"

if [[ $# -ge 1 ]]; then
  unpack_payload "$1"
  app="$payload_root/app"; models="$payload_root/models"
  # The load generator writes the same demo models (fraud trained with seed 42, ResNet-18 with a symbolic batch).
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
  "$payload_root/loadtest/MlopsAspire.LoadTest" models "$payload_root/repository" --model all
  mkdir -p "$models"
  for model in fraud resnet18; do ln -sf "$payload_root/repository/$model/1/model.onnx" "$models/$model.onnx"; done
else
  root="$(cd "$here/../.." && pwd)"
  work="$(mktemp -d)"
  git -C "$root" archive HEAD | tar x -C "$work"
  (cd "$work" && dotnet run perf/gpu/export-models.cs -- "$work/models")
  dotnet publish "$work/perf/MlopsAspire.GpuCheck" -c Release -r linux-x64 --self-contained \
    -p:OnnxRuntimeFlavor=Gpu -o "$work/app" --nologo
  app="$work/app"; models="$work/models"
fi

use_cuda_libraries "$app"
"$app/MlopsAspire.GpuCheck" --models "$models" --out "$out/gpu-check.md" --seconds "${SECONDS_PER_POINT:-1.5}"
