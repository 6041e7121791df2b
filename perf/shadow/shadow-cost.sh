#!/usr/bin/env bash
# Production p99 with a full-rate shadow ÷ without, side by side on one platform (perf/RESULTS.md, "Shadow cost").
#
#   perf/shadow/shadow-cost.sh SHADOW_MODEL.onnx [RATE] [ROUNDS] [DURATION]
#
# SHADOW_MODEL.onnx: a second fraud model of the same size (e.g. one trained with another seed), registered as
# fraud version 2 and shadowed at sample rate 1.0 / 0 in alternate halves of each round. Two standalone Release
# replicas join the platform: "dedicated" (defaults) and "idle" (ShadowLowPriority=true). Set BASELINE_DIR to the
# bin/Release/net10.0 folder of another build of MlopsAspire.Inference to add it as a replica "baseline", and
# VARIANT_ENV to settings (e.g. "Inference__Monitoring__PayloadSampleRate=0") of one more replica of this build, "variant".
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest. Prints a TSV per run
# (round, replica, shadow rate, achieved req/s, p50, p99, p99.9 ms, failed, missed sends) and the ratios.
set -euo pipefail
MODEL=${1:?usage: shadow-cost.sh SHADOW_MODEL.onnx [RATE] [ROUNDS] [DURATION]}
RATE=${2:-3500}; ROUNDS=${3:-4}; DURATION=${4:-15s}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/shadow-cost.XXXXXX)
export MLOPS_API_KEY=shadow-cost-operator-key-0123456789
MLOPS="dotnet $ROOT/src/MlopsAspire.Cli/bin/Release/net10.0/mlops.dll"
LOAD="dotnet $ROOT/perf/MlopsAspire.LoadTest/bin/Release/net10.0/MlopsAspire.LoadTest.dll"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  # The AppHost stops the store, control plane and its replica when it is asked to stop.
  pkill -TERM -f "DataDirectory=$WORK/data" 2>/dev/null || true
}
trap cleanup EXIT

dotnet run --no-build -c Release --project "$ROOT/AppHost" -- --Store:DataDirectory="$WORK/data" --Inference:Replicas=1 \
  --Inference:HttpPort=0 --Inference:GrpcPort=0 --Training:Enabled=false \
  --Parameters:mlops-operator-key=$MLOPS_API_KEY > "$WORK/apphost.log" 2>&1 &
for _ in $(seq 1 120); do
  sleep 2
  if $MLOPS models list 2>/dev/null | grep -q fraud; then break; fi
done
$MLOPS models register fraud "$MODEL" --parent 1
STORE_PID=$(pgrep -f MlopsAspire.Store | head -1)
STORE_PORT=$(tr '\0' '\n' < "/proc/$STORE_PID/environ" | sed -n 's/^GARNET_PORT=//p')

start_replica() { # name grpc-port http-port bin-dir extra-env...
  local name=$1 grpc=$2 http=$3 dir=$4; shift 4
  (cd "$dir" && exec env ConnectionStrings__store=localhost:$STORE_PORT Orleans__ClusterId=mlops Orleans__ServiceId=mlops \
    Orleans__Clustering__ProviderType=Redis Orleans__Clustering__ServiceKey=store Inference__IntraOpThreads=1 \
    Kestrel__Endpoints__grpc__Url=http://localhost:$grpc Kestrel__Endpoints__http__Url=http://localhost:$http "$@" \
    dotnet MlopsAspire.Inference.dll > "$WORK/replica-$name.log" 2>&1) &
  PIDS+=($!)
  for _ in $(seq 1 60); do curl -sf "localhost:$http/v2/models/fraud/ready" > /dev/null && return 0; sleep 2; done
  echo "replica $name did not become ready (see $WORK/replica-$name.log)" >&2; exit 1
}
BIN="$ROOT/src/MlopsAspire.Inference/bin/Release/net10.0"
ARMS=("dedicated:9101" "idle:9201")
start_replica dedicated 9101 9100 "$BIN"
start_replica idle 9201 9200 "$BIN" Inference__Monitoring__ShadowLowPriority=true
if [[ -n "${BASELINE_DIR:-}" ]]; then start_replica baseline 9301 9300 "$BASELINE_DIR"; ARMS+=("baseline:9301"); fi
# shellcheck disable=SC2086 # VARIANT_ENV is a list of assignments
if [[ -n "${VARIANT_ENV:-}" ]]; then start_replica variant 9401 9400 "$BIN" $VARIANT_ENV; ARMS+=("variant:9401"); fi
for arm in "${ARMS[@]}"; do $LOAD fraud-unary --target "localhost:${arm##*:}" --concurrency 16 --duration 4s --no-progress > /dev/null; done

RESULTS="$WORK/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then states="1.0 0"; else states="0 1.0"; fi
  for state in $states; do
    $MLOPS models shadow fraud 2 --sample "$state" --reason "shadow cost measurement" > /dev/null
    sleep 6 # replicas poll the routing table every 2 s
    count=${#ARMS[@]}
    for i in $(seq 0 $((count - 1))); do
      arm=${ARMS[$(( (i + round) % count ))]}
      out="$WORK/r$round-${arm%%:*}-$state"
      $LOAD fraud-unary --target "localhost:${arm##*:}" --rate "$RATE" --arrival poisson --duration "$DURATION" \
        --warmup 2s --spin-us 0 --no-progress --out "$out" > /dev/null
      python3 - "$out/report.json" "$round" "${arm%%:*}" "$state" >> "$RESULTS" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]; latency = run["latency"]
print("\t".join(map(str, [sys.argv[2], sys.argv[3], sys.argv[4], round(run["achievedRate"] or run["throughput"]),
    latency["p50Ms"], latency["p99Ms"], latency["p999Ms"], run["failed"], run.get("missedSends")])))
PY
      tail -1 "$RESULTS"
    done
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
p99 = {(r[0], r[1], r[2]): float(r[5]) for r in rows}
p50 = {(r[0], r[1], r[2]): float(r[4]) for r in rows}
for arm in sorted({r[1] for r in rows}):
    rounds = sorted({r[0] for r in rows}, key=int)
    ratios = [p99[(n, arm, "1.0")] / p99[(n, arm, "0")] for n in rounds]
    medians50 = [p50[(n, arm, "1.0")] / p50[(n, arm, "0")] for n in rounds]
    print(f"{arm}: p99 with ÷ without shadow per round {[round(x, 2) for x in ratios]}, median {statistics.median(ratios):.2f}; "
          f"p50 ratio median {statistics.median(medians50):.2f}")
PY
echo "runs and logs: $WORK"
