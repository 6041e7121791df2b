#!/usr/bin/env bash
# On a CUDA machine: checks the CUDA flavour of the serving engine against CPU on both demo models and
# prints throughput by batch size (about 2-3 minutes on one GPU).
#   With a .NET SDK:   perf/gpu/check.sh                 (builds the GPU flavour, then runs)
#   Without one:       perf/gpu/check.sh PAYLOAD_DIR     (uses perf/gpu/pack.sh's parts, reassembled there)
# CUDA 13 and cuDNN 9 libraries are found in the usual places and in Python's nvidia-* wheels.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$here/.results}"
mkdir -p "$out"

if [[ $# -ge 1 ]]; then
  payload="$1"
  work="$(mktemp -d)"
  (cd "$payload" && sha256sum -c SHA256SUMS)
  cat "$payload"/payload.tar.xz.part-* | xz -d -T0 | tar -x -C "$work"
  app="$work/payload/app"; models="$work/payload/models"
else
  root="$(cd "$here/../.." && pwd)"
  work="$(mktemp -d)"
  git -C "$root" archive HEAD | tar x -C "$work"
  (cd "$work" && dotnet run perf/gpu/export-models.cs -- "$work/models")
  dotnet publish "$work/perf/MlopsAspire.GpuCheck" -c Release -r linux-x64 --self-contained \
    -p:OnnxRuntimeFlavor=Gpu -o "$work/app" --nologo
  app="$work/app"; models="$work/models"
fi

# Every folder holding CUDA runtime, cuBLAS or cuDNN libraries, including pip's nvidia-* packages.
cuda_dirs="$( (find /usr /opt /lib /lib64 /usr/local \( -name 'libcudart.so*' -o -name 'libcublas*.so*' -o -name 'libcudnn*.so*' \
  -o -name 'libcufft.so*' -o -name 'libcurand.so*' -o -name 'libnvrtc*.so*' -o -name 'libnvJitLink*.so*' \) \
  -printf '%h\n' 2>/dev/null || true) | sort -u | paste -sd: -)"
export LD_LIBRARY_PATH="$app:${cuda_dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
echo "CUDA library folders: ${cuda_dirs:-none found}"
missing="$(ldd "$app/libonnxruntime_providers_cuda.so" | grep 'not found' || true)"
[[ -z "$missing" ]] || echo "unresolved libraries of the CUDA provider:"$'\n'"$missing"

"$app/MlopsAspire.GpuCheck" --models "$models" --out "$out/gpu-check.md" --seconds "${SECONDS_PER_POINT:-1.5}"
