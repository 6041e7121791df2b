#!/usr/bin/env bash
# Checks a capacity plan by running what it recommends (perf/RESULTS.md, "A capacity plan checked").
#
#   perf/capacity/capacity-check.sh [MODEL] [OBJECTIVE_P99_MS] [TARGET_RATE] [START_RATE] [STEP_DURATION] [CHECK_DURATION]
#
# Scaled to this machine: each replica is a standalone Release replica pinned to one core of its own (`taskset`, one
# intra-op thread), serving the demo MODEL (resnet18, the default, or fraud) from a local folder. The load generator
# (in its own process, not pinned) first finds the highest rate one replica sustains within the objective (p99 ≤
# OBJECTIVE_P99_MS, errors ≤ 0.1 %) and the replicas TARGET_RATE needs at that rate each; then it runs that many
# replicas, each on its own core, at TARGET_RATE with Poisson arrivals, calling them round-robin, and says whether the
# objective held. As a control it runs one replica at TARGET_RATE too, which a plan of more than one must see fail.
# Needs: dotnet build -c Release of src/MlopsAspire.Inference and perf/MlopsAspire.LoadTest.
set -euo pipefail
MODEL=${1:-resnet18}; OBJECTIVE=${2:-250}; TARGET=${3:-40}; START=${4:-5}; STEP=${5:-10s}; CHECK=${6:-30s}
# shellcheck source=../common/platform.sh
source "$(dirname "$0")/../common/platform.sh"
case "$MODEL" in resnet18) SCENARIO=resnet18 ;; fraud) SCENARIO=fraud-unary ;; *) echo "MODEL must be resnet18 or fraud" >&2; exit 2 ;; esac
CORES=$(nproc)
$LOAD models "$WORK/models" --model "$MODEL" > /dev/null

# pinned_replica NAME CORE GRPC_PORT HTTP_PORT: a replica on one core, ready when it serves MODEL.
pinned_replica() {
  local name=$1 core=$2 grpc=$3 http=$4
  (cd "$BIN" && exec taskset -c "$core" env Inference__ModelRepository="$WORK/models" Inference__IntraOpThreads=1 \
    Logging__LogLevel__Default=Warning Kestrel__Endpoints__grpc__Url=http://localhost:$grpc \
    Kestrel__Endpoints__http__Url=http://localhost:$http dotnet MlopsAspire.Inference.dll > "$WORK/replica-$name.log" 2>&1) &
  REPLICA_PID[$name]=$!
  for _ in $(seq 1 90); do curl -sf "localhost:$http/v2/models/$MODEL/ready" > /dev/null && return 0; sleep 2; done
  echo "replica $name did not become ready (see $WORK/replica-$name.log)" >&2
  exit 1
}

# summary DIR: "p99 X ms, errors E of S, achieved A/s" from a run's report.
summary() {
  python3 - "$1/report.json" "$OBJECTIVE" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
p99, failed, sent = run["latency"]["p99Ms"], run["failed"], run["sent"]
met = p99 <= float(sys.argv[2]) and failed <= 0.001 * max(sent, 1) and run["missedSends"] == 0
print(f"p99 {p99:.1f} ms, {failed} of {sent} failed, achieved {run['achievedRate']:.1f}/s, missed sends {run['missedSends']} -> objective {'met' if met else 'missed'}")
PY
}

pinned_replica r0 0 19201 19301
echo "== plan: one replica on core 0, objective p99 <= $OBJECTIVE ms, errors <= 0.1 %, target $TARGET/s"
$LOAD "$SCENARIO" --target localhost:19201 --arrival poisson --objective-p99-ms "$OBJECTIVE" --max-error-rate 0.001 \
  --start-rate "$START" --step-factor 1.5 --step-duration "$STEP" --target-rate "$TARGET" --no-progress \
  --out "$WORK/plan" | tee "$WORK/plan.log" | grep -E "→|capacity|highest"
NEEDED=$(sed -n 's/.*needs \([0-9][0-9]*\) replica.*/\1/p' "$WORK/plan.log" | head -1)
[[ -n "$NEEDED" ]] || { echo "no plan came out (see $WORK/plan.log)" >&2; exit 1; }
if (( NEEDED > CORES )); then
  echo "the plan needs $NEEDED replicas; this machine holds $CORES on a core each: lower TARGET_RATE"; exit 1
fi

echo "== control: one replica at $TARGET/s"
$LOAD "$SCENARIO" --target localhost:19201 --rate "$TARGET" --arrival poisson --duration "$CHECK" --no-progress \
  --out "$WORK/control" > "$WORK/control.log" 2>&1 || { cat "$WORK/control.log"; exit 1; }
summary "$WORK/control"

targets=localhost:19201
for i in $(seq 1 $((NEEDED - 1))); do
  pinned_replica "r$i" "$i" $((19201 + i)) $((19301 + i))
  targets="$targets,localhost:$((19201 + i))"
done
echo "== check: the plan's $NEEDED replica(s), each on its own core, at $TARGET/s"
$LOAD "$SCENARIO" --target "$targets" --rate "$TARGET" --arrival poisson --duration "$CHECK" --no-progress \
  --out "$WORK/check" > "$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; exit 1; }
summary "$WORK/check"
echo "runs and logs: $WORK"
