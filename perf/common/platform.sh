#!/usr/bin/env bash
# Shared by the side-by-side platform measurements (perf/shadow, perf/monitoring); sourced, not run.
#
# start_platform: starts a Release AppHost with one replica of its own and no training worker on a fresh data
#   folder under $WORK, waits for the control plane and sets STORE_PORT (the embedded Garnet store's port).
# start_replica NAME GRPC_PORT HTTP_PORT BIN_DIR [VAR=VALUE...]: joins a standalone Release replica from BIN_DIR
#   (bin/Release/net10.0 of MlopsAspire.Inference) to that platform with one intra-op thread and the given
#   settings, waits until it serves fraud, and records its pid in REPLICA_PID[NAME].
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "/tmp/$(basename "$0" .sh).XXXXXX")
export MLOPS_API_KEY=perf-operator-key-0123456789abcdef
MLOPS="dotnet $ROOT/src/MlopsAspire.Cli/bin/Release/net10.0/mlops.dll"
LOAD="dotnet $ROOT/perf/MlopsAspire.LoadTest/bin/Release/net10.0/MlopsAspire.LoadTest.dll"
BIN="$ROOT/src/MlopsAspire.Inference/bin/Release/net10.0"
declare -A REPLICA_PID=()

stop_platform() {
  for pid in "${REPLICA_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  # The AppHost stops the store, control plane and its replica when it is asked to stop.
  pkill -TERM -f "DataDirectory=$WORK/data" 2>/dev/null || true
}
trap stop_platform EXIT

start_platform() {
  dotnet run --no-build -c Release --project "$ROOT/AppHost" -- --Store:DataDirectory="$WORK/data" --Inference:Replicas=1 \
    --Inference:HttpPort=0 --Inference:GrpcPort=0 --Training:Enabled=false \
    --Parameters:mlops-operator-key=$MLOPS_API_KEY > "$WORK/apphost.log" 2>&1 &
  for _ in $(seq 1 120); do
    sleep 2
    if $MLOPS models list 2>/dev/null | grep -q fraud; then break; fi
  done
  local store_pid
  store_pid=$(pgrep -f "MlopsAspire.Store" | head -1)
  STORE_PORT=$(tr '\0' '\n' < "/proc/$store_pid/environ" | sed -n 's/^GARNET_PORT=//p')
}

start_replica() {
  local name=$1 grpc=$2 http=$3 dir=$4; shift 4
  (cd "$dir" && exec env ConnectionStrings__store=localhost:$STORE_PORT Orleans__ClusterId=mlops Orleans__ServiceId=mlops \
    Orleans__Clustering__ProviderType=Redis Orleans__Clustering__ServiceKey=store Inference__IntraOpThreads=1 \
    Kestrel__Endpoints__grpc__Url=http://localhost:$grpc Kestrel__Endpoints__http__Url=http://localhost:$http "$@" \
    dotnet MlopsAspire.Inference.dll > "$WORK/replica-$name.log" 2>&1) &
  REPLICA_PID[$name]=$!
  for _ in $(seq 1 60); do curl -sf "localhost:$http/v2/models/fraud/ready" > /dev/null && return 0; sleep 2; done
  echo "replica $name did not become ready (see $WORK/replica-$name.log)" >&2
  exit 1
}

# CPU time (user + system) of a process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
