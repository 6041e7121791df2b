#!/usr/bin/env bash
# On a CUDA machine without .NET: measures the served path on the GPU. For each run, the load generator's
# baselines put our replica (gRPC, batcher, codec, engine) next to the raw ONNX Runtime loop, a bare gRPC echo and
# a naive server, every contender on the same provider, cores and client, and print ours ÷ each. ResNet-18 at
# each batch size in BATCHES, then fraud; 4-5 minutes with the defaults, never more than BUDGET (6.5 minutes).
#   perf/gpu/served.sh PAYLOAD_DIR                 (perf/gpu/pack.sh's parts, reassembled there)
#   PROVIDER=cpu perf/gpu/served.sh PAYLOAD_DIR    (the same runs on the CPU: a rehearsal anywhere)
# A provider that cannot start fails that run with one line; nothing falls back to the CPU unnoticed.
# Reports land in $OUT (or perf/gpu/.results/served): per run a folder with report.md/json/html and a console log
# <run>.log, and summary.md with every run's comparison.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/payload.sh"
[[ $# -eq 1 ]] || { echo "usage: $0 PAYLOAD_DIR (the parts written by perf/gpu/pack.sh)" >&2; exit 2; }
out="${OUT:-$here/.results/served}"
mkdir -p "$out"

provider="${PROVIDER:-cuda}"
batches="${BATCHES:-8 32 1}"        # ResNet-18 images per request; the goal's batch sizes (≥ 8) first
cores="${CORES:-2}"                 # sessions every contender runs at once (one intra-op thread each)
resnet_clients="${RESNET_CLIENTS:-8}"
fraud_clients="${FRAUD_CLIENTS:-64}"
duration="${DURATION:-8s}"          # measured, per contender
warmup="${WARMUP:-2s}"              # warm-up at least this long, until three one-second slices agree within 5 %
max_warmup="${MAX_WARMUP:-8s}"      # warm-up stops here even if throughput is not yet steady
run_limit="${RUN_LIMIT:-150}"       # seconds a whole run (4 contenders) may take before it is stopped
budget="${BUDGET:-390}"             # seconds all runs together may take; a run that would start with less than 45 left is skipped

unpack_payload "$1"
loadtest="$payload_root/loadtest"
use_cuda_libraries "$loadtest"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

runs=(); failed=()
started=$SECONDS
# One baselines run; one still going at its limit is stopped and counts as failed (its console lines above stay).
baselines() {
  local name="$1" left limit; shift
  runs+=("$name")
  left=$((budget - (SECONDS - started)))
  if (( left < 45 )); then
    echo "== $name: skipped, ${left} s of the ${budget} s budget left"
    failed+=("$name")
    return
  fi
  limit=$(( left < run_limit ? left : run_limit ))
  echo "== $name: baselines $* --provider $provider (at most $limit s)"
  local status=0
  timeout -k 5 "$limit" "$loadtest/MlopsAspire.LoadTest" baselines "$@" --provider "$provider" \
    --cores "$cores" --duration "$duration" --warmup "$warmup" --max-warmup "$max_warmup" --no-progress --out "$out/$name" \
    2>&1 | tee "$out/$name.log" || status=$?
  (( status == 0 )) || failed+=("$name")
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
