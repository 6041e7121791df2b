#!/usr/bin/env bash
# Shared by the side-by-side measurements (perf/shadow, perf/monitoring, perf/tracing, perf/hosting); sourced, not run.
#
# start_platform: starts a Release AppHost with one replica of its own and no training worker on a fresh data
#   folder under $WORK, waits for the control plane and sets STORE_PORT (the embedded Garnet store's port; its
#   password is STORE_PASSWORD). PLATFORM_ARGS (an array) adds AppHost arguments; a later one wins.
# start_replica NAME GRPC_PORT HTTP_PORT BIN_DIR [VAR=VALUE...]: joins a standalone Release replica from BIN_DIR
#   (bin/Release/net10.0 of MlopsAspire.Inference) to that platform with one intra-op thread and the given
#   settings, waits until it serves fraud, and records its pid in REPLICA_PID[NAME]. launch_replica does the same
#   without joining a platform.
# closed_rounds ROUNDS DURATION CONCURRENCY REFERENCE: for each round, runs the closed-model fraud-unary workload
#   against every replica in ARMS ("name:grpc-port", order rotated per round), reads the replica's CPU time around
#   each run, prints a TSV line per run (round, replica, req/s, p50, p99 ms, failed, replica CPU µs per request) and
#   finally each replica's throughput ratio and extra CPU against REFERENCE in the same rounds.
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "/tmp/$(basename "$0" .sh).XXXXXX")
export MLOPS_API_KEY=perf-operator-key-0123456789abcdef
STORE_PASSWORD=perf-store-password-0123456789abcdef
MLOPS="dotnet $ROOT/src/MlopsAspire.Cli/bin/Release/net10.0/mlops.dll"
LOAD="dotnet $ROOT/perf/MlopsAspire.LoadTest/bin/Release/net10.0/MlopsAspire.LoadTest.dll"
BIN="$ROOT/src/MlopsAspire.Inference/bin/Release/net10.0"
declare -A REPLICA_PID=()
PLATFORM_ARGS=()

stop_platform() {
  for pid in "${REPLICA_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  # The AppHost stops the store, control plane and its replica when it is asked to stop.
  pkill -TERM -f "DataDirectory=$WORK/data" 2>/dev/null || true
}
trap stop_platform EXIT

start_platform() {
  dotnet run --no-build -c Release --project "$ROOT/AppHost" -- --Store:DataDirectory="$WORK/data" --Inference:Replicas=1 \
    --Inference:HttpPort=0 --Inference:GrpcPort=0 --Training:Enabled=false \
    --Parameters:mlops-operator-key=$MLOPS_API_KEY --Parameters:store-password=$STORE_PASSWORD \
    "${PLATFORM_ARGS[@]}" > "$WORK/apphost.log" 2>&1 &
  for _ in $(seq 1 120); do
    sleep 2
    if $MLOPS models list 2>/dev/null | grep -q fraud; then break; fi
  done
  local store_pid
  store_pid=$(pgrep -f "MlopsAspire.Store" | head -1)
  STORE_PORT=$(tr '\0' '\n' < "/proc/$store_pid/environ" | sed -n 's/^GARNET_PORT=//p')
}

# launch_replica NAME GRPC_PORT HTTP_PORT BIN_DIR [VAR=VALUE...]: starts a Release replica from BIN_DIR with one
# intra-op thread and the given settings (later ones win), waits until it serves fraud, records its pid.
launch_replica() {
  local name=$1 grpc=$2 http=$3 dir=$4; shift 4
  (cd "$dir" && exec env Inference__IntraOpThreads=1 \
    Kestrel__Endpoints__grpc__Url=http://localhost:$grpc Kestrel__Endpoints__http__Url=http://localhost:$http "$@" \
    dotnet MlopsAspire.Inference.dll > "$WORK/replica-$name.log" 2>&1) &
  REPLICA_PID[$name]=$!
  for _ in $(seq 1 60); do curl -sf "localhost:$http/v2/models/fraud/ready" > /dev/null && return 0; sleep 2; done
  echo "replica $name did not become ready (see $WORK/replica-$name.log)" >&2
  exit 1
}

start_replica() {
  local name=$1 grpc=$2 http=$3 dir=$4; shift 4
  launch_replica "$name" "$grpc" "$http" "$dir" ConnectionStrings__store=localhost:$STORE_PORT,password=$STORE_PASSWORD Orleans__ClusterId=mlops \
    Orleans__ServiceId=mlops Orleans__Clustering__ProviderType=Redis Orleans__Clustering__ServiceKey=store "$@"
}

# CPU time (user + system) of a process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

closed_rounds() {
  local rounds=$1 duration=$2 concurrency=$3 reference=$4
  local tick_us=$(( 1000000 / $(getconf CLK_TCK) )) results="$WORK/results.tsv" count=${#ARMS[@]}
  local arm name out before after
  for arm in "${ARMS[@]}"; do
    $LOAD fraud-unary --target "localhost:${arm##*:}" --concurrency "$concurrency" --duration 5s --no-progress > /dev/null
  done
  for round in $(seq 1 "$rounds"); do
    for i in $(seq 0 $((count - 1))); do
      arm=${ARMS[$(( (i + round) % count ))]}
      name=${arm%%:*}
      out="$WORK/r$round-$name"
      before=$(cpu_ticks "${REPLICA_PID[$name]}")
      $LOAD fraud-unary --target "localhost:${arm##*:}" --concurrency "$concurrency" --duration "$duration" \
        --warmup 0s --no-progress --out "$out" > /dev/null
      after=$(cpu_ticks "${REPLICA_PID[$name]}")
      python3 - "$out/report.json" "$round" "$name" "$(( (after - before) * tick_us ))" >> "$results" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]; latency = run["latency"]
cpu = int(sys.argv[4]) / max(run["succeeded"], 1)
print("\t".join(map(str, [sys.argv[2], sys.argv[3], round(run["throughput"]), latency["p50Ms"], latency["p99Ms"], run["failed"], round(cpu, 1)])))
PY
      tail -1 "$results"
    done
  done

  python3 - "$results" "$reference" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
reference = sys.argv[2]
rate = {(r[0], r[1]): float(r[2]) for r in rows}
cpu = {(r[0], r[1]): float(r[6]) for r in rows}
rounds = sorted({r[0] for r in rows}, key=int)
for arm in sorted({r[1] for r in rows} - {reference}):
    ratios = [rate[(n, arm)] / rate[(n, reference)] for n in rounds]
    extra = [cpu[(n, arm)] - cpu[(n, reference)] for n in rounds]
    print(f"{arm} ÷ {reference}: throughput per round {[round(x, 2) for x in ratios]}, median {statistics.median(ratios):.2f}; "
          f"replica CPU over {reference}, median {statistics.median(extra):+.1f} µs per request "
          f"({reference} {statistics.median(cpu[(n, reference)] for n in rounds):.1f} µs)")
PY
  echo "runs and logs: $WORK"
}
