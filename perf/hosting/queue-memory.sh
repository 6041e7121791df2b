#!/usr/bin/env bash
# A replica's resident memory through a flood of queued ResNet-18 images and after it: STREAMS ModelStreamInfer
# streams send PER_STREAM images each within one second (far more than the model computes meanwhile), against one
# standalone replica per arm, one arm at a time. Prints, per arm: RSS idle before, the peak during the flood, RSS
# 10 s and 30 s after the last answer, and how many requests were answered, refused and cancelled.
#
# Usage: perf/hosting/queue-memory.sh STREAMS PER_STREAM ARM [ARM...]
#   ARM: NAME | NAME=SETTING[,SETTING...], SETTING: BIN_DIR=DIR (another build's bin/Release/net10.0 of
#   MlopsAspire.Inference), MAX_QUEUE_BYTES=N (resnet18's dynamic_batching.max_queue_bytes) or VAR=VALUE
#   (an environment setting of the replica).
# Example: perf/hosting/queue-memory.sh 20 100 old=BIN_DIR=/tmp/old/src/MlopsAspire.Inference/bin/Release/net10.0 \
#   new=MAX_QUEUE_BYTES=67108864
# Needs: dotnet build -c Release of src/MlopsAspire.Inference and perf/MlopsAspire.LoadTest.
set -euo pipefail
source "$(dirname "$0")/../common/platform.sh"
[ $# -ge 3 ] || { sed -n 7,13p "$0"; exit 2; }
STREAMS=$1 PER_STREAM=$2; shift 2
REQUESTS=$((STREAMS * PER_STREAM))

$LOAD models "$WORK/models" --model all > /dev/null

rss_mib() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

port=19301
for arm in "$@"; do
  name=${arm%%=*}
  settings=""
  [ "$name" != "$arm" ] && settings=${arm#*=}
  dir=$BIN models="$WORK/models-$name" env=()
  cp -r "$WORK/models" "$models"
  if [ -n "$settings" ]; then
    IFS=, read -r -a pairs <<< "$settings"
    for pair in "${pairs[@]}"; do
      case "$pair" in
        BIN_DIR=*) dir=${pair#BIN_DIR=} ;;
        MAX_QUEUE_BYTES=*) echo "{ \"dynamic_batching\": { \"max_queue_bytes\": ${pair#MAX_QUEUE_BYTES=} } }" > "$models/resnet18/config.json" ;;
        *) env+=("$pair") ;;
      esac
    done
  fi

  launch_replica "$name" $port $((port + 1000)) "$dir" Inference__ModelRepository="$models" Logging__LogLevel__Default=Warning "${env[@]}"
  pid=${REPLICA_PID[$name]}
  for _ in $(seq 1 60); do curl -sf "localhost:$((port + 1000))/v2/models/resnet18/ready" > /dev/null && break; sleep 2; done
  # A few images first, so that the session's arena and the batcher exist before the idle reading.
  $LOAD resnet18 --target "localhost:$port" --concurrency 2 --duration 3s --warmup 0s --no-progress > /dev/null
  sleep 5
  idle=$(rss_mib "$pid")

  samples="$WORK/rss-$name.tsv"
  ( while kill -0 "$pid" 2>/dev/null; do echo "$(date +%s.%N)	$(rss_mib "$pid")"; sleep 0.5; done ) > "$samples" &
  sampler=$!
  $LOAD resnet18-stream --target "localhost:$port" --streams "$STREAMS" --rate "$REQUESTS" --duration 1s --warmup 0s --drain-timeout 60s --spin-us 0 \
    --no-progress --out "$WORK/flood-$name" > /dev/null
  answered=$(date +%s.%N)
  sleep 10
  after10=$(rss_mib "$pid")
  sleep 20
  after30=$(rss_mib "$pid")
  kill "$sampler" 2>/dev/null || true
  peak=$(awk -v end="$answered" '$1 <= end && $2 > max { max = $2 } END { print max + 0 }' "$samples")

  python3 - "$WORK/flood-$name/report.json" "$name" "$idle" "$peak" "$after10" "$after30" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
errors = ", ".join(f"{status} {count}" for status, count in sorted(run.get("errorsByStatus", {}).items())) or "none"
name, idle, peak, after10, after30 = sys.argv[2], *map(int, sys.argv[3:7])
print(f"{name}: RSS idle {idle} MiB, flood peak {peak} MiB (+{peak - idle}), 10 s after {after10} MiB, 30 s after {after30} MiB; "
      f"{run['succeeded']} answered, failed: {errors}")
PY
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  port=$((port + 1))
done
echo "samples and logs: $WORK"
