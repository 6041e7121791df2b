# Sourced by check.sh and served.sh: unpacks perf/gpu/pack.sh's parts and points the dynamic loader at the CUDA
# libraries of the machine it runs on.

# Checks PAYLOAD_DIR's parts against SHA256SUMS and unpacks them; sets payload_root to the unpacked folder
# (app/: the GPU check, loadtest/: the load generator, both self-contained).
# The unpacked folder (~900 MB) is removed when the script exits.
unpack_payload() {
  local parts="$1"
  payload_work="$(mktemp -d)"
  trap 'rm -rf "$payload_work"' EXIT
  (cd "$parts" && sha256sum --quiet -c SHA256SUMS)
  cat "$parts"/payload.tar.xz.part-* | xz -d -T0 | tar -x -C "$payload_work"
  payload_root="$payload_work/payload"
}

# Puts APP_DIR (ONNX Runtime and its CUDA provider) and every folder holding CUDA runtime, cuBLAS, cuDNN and friends,
# pip's nvidia-* packages included, on LD_LIBRARY_PATH, then says which GPU is there and what the CUDA provider
# library still cannot resolve.
use_cuda_libraries() {
  local app="$1" cuda_dirs missing
  cuda_dirs="$( (find /usr /opt /lib /lib64 /usr/local \( -name 'libcudart.so*' -o -name 'libcublas*.so*' -o -name 'libcudnn*.so*' \
    -o -name 'libcufft.so*' -o -name 'libcurand.so*' -o -name 'libnvrtc*.so*' -o -name 'libnvJitLink*.so*' \) \
    -printf '%h\n' 2>/dev/null || true) | sort -u | paste -sd: -)"
  export LD_LIBRARY_PATH="$app:${cuda_dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: no GPU visible"
  echo "CUDA library folders: ${cuda_dirs:-none found}"
  if [[ -f "$app/libonnxruntime_providers_cuda.so" ]]; then
    missing="$(ldd "$app/libonnxruntime_providers_cuda.so" | grep 'not found' || true)"
    [[ -z "$missing" ]] || echo "unresolved libraries of the CUDA provider:"$'\n'"$missing"
  else
    echo "no CUDA provider library in $app: this is a CPU build"
  fi
}
