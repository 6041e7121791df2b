#!/usr/bin/env bash
# On a CUDA machine without .NET: measures the served path on the GPU. For each run, the load generator's
# baselines put our replica (gRPC, batcher, codec, engine) next to the raw ONNX Runtime loop, a bare gRPC echo and
# a naive server, every contender on the same provider, cores and client, and print ours ÷ each. ResNet-18 at
# each batch size in BATCHES, then fraud; about 5-6 minutes with the defaults.
#   perf/gpu/served.sh PAYLOAD_DIR                 (perf/gpu/pack.sh's parts, reassembled there)
#   PROVIDER=cpu perf/gpu/served.sh PAYLOAD_DIR    (the same runs on the CPU: a rehearsal anywhere)
# A provider that cannot start fails that run with one line; nothing falls back to the CPU unnoticed.
# Reports land in $OUT (or perf/gpu/.results/served): one folder per run with report.md/json/html, and summary.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/payload.sh"
[[ $# -eq 1 ]] || { echo "usage: $0 PAYLOAD_DIR (the parts written by perf/gpu/pack.sh)" >&2; exit 2; }
out="${OUT:-$here/.results/served}"
mkdir -p "$out"

provider="${PROVIDER:-cuda}"
batches="${BATCHES:-1 8 32}"        # ResNet-18 images per request
cores="${CORES:-2}"                 # sessions every contender runs at once (one intra-op thread each)
resnet_clients="${RESNET_CLIENTS:-8}"
fraud_clients="${FRAUD_CLIENTS:-64}"
duration="${DURATION:-8s}"          # measured, per contender
warmup="${WARMUP:-2s}"              # warm-up at least this long, until three one-second slices agree within 5 %
max_warmup="${MAX_WARMUP:-8s}"      # warm-up stops here even if throughput is not yet steady
run_limit="${RUN_LIMIT:-150}"       # seconds a whole run (4 contenders) may take before it is interrupted

unpack_payload "$1"
loadtest="$payload_root/loadtest"
use_cuda_libraries "$loadtest"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

runs=(); failed=()
# One baselines run; SIGINT at the limit ends it early and the tool still writes what it measured.
baselines() {
  local name="$1"; shift
  echo "== $name: baselines $* --provider $provider"
  runs+=("$name")
  if ! timeout -s INT -k 15 "$run_limit" "$loadtest/MlopsAspire.LoadTest" baselines "$@" --provider "$provider" \
      --cores "$cores" --duration "$duration" --warmup "$warmup" --max-warmup "$max_warmup" --no-progress --out "$out/$name"; then
    failed+=("$name")
  fi
}

for batch in $batches; do
  baselines "resnet18-b$batch" --model resnet18 --batch-size "$batch" --concurrency "$resnet_clients"
done
baselines fraud-b1 --model fraud --batch-size 1 --concurrency "$fraud_clients"

# The comparison table of every run: ours ÷ onnxruntime-loop is how much of the raw engine's rate serving keeps.
{
  gpu="$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1 || true)"
  echo "# Served path on $provider (${gpu:-no GPU visible}, $(nproc) CPU threads, $cores sessions per contender)"
  echo
  for name in "${runs[@]}"; do
    if [[ -f "$out/$name/report.md" ]]; then awk '/^## /{section++} section==1' "$out/$name/report.md"; else echo "$name: no report"$'\n'; fi
  done
} > "$out/summary.md"
cat "$out/summary.md"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
