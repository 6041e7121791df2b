#!/usr/bin/env bash
# Standalone replicas side by side over the demo fraud model in a local folder (no platform, no store): throughput
# and the replica's own CPU per request, by configuration or by build, with the load generator in its own process.
#
# Usage: perf/hosting/replica-cost.sh ROUNDS DURATION ARM [ARM...]
#   ARM: NAME | NAME=VAR=VALUE[,VAR=VALUE...] | NAME=BIN_DIR=DIR[,VAR=VALUE...]
#   The first ARM is the reference. VAR=VALUE pairs are environment settings of that replica
#   (e.g. Inference__Batching__Enabled=false); BIN_DIR runs another build's bin/Release/net10.0 of
#   MlopsAspire.Inference. Every replica gets one intra-op thread.
# Example: perf/hosting/replica-cost.sh 5 12s new old=BIN_DIR=/tmp/old/src/MlopsAspire.Inference/bin/Release/net10.0
# Needs: dotnet build -c Release of src/MlopsAspire.Inference and perf/MlopsAspire.LoadTest.
set -euo pipefail
source "$(dirname "$0")/../common/platform.sh"
[ $# -ge 3 ] || { sed -n 5,12p "$0"; exit 2; }
ROUNDS=$1 DURATION=$2; shift 2

$LOAD models "$WORK/models" --model fraud > /dev/null

start_local() {
  local name=$1 grpc=$2 http=$3 settings=$4 dir=$BIN
  local -a vars=()
  if [ -n "$settings" ]; then
    IFS=, read -r -a vars <<< "$settings"
  fi
  local -a env=()
  for pair in "${vars[@]}"; do
    case "$pair" in
      BIN_DIR=*) dir=${pair#BIN_DIR=} ;;
      *) env+=("$pair") ;;
    esac
  done
  (cd "$dir" && exec env Inference__ModelRepository="$WORK/models" Inference__IntraOpThreads=1 Logging__LogLevel__Default=Warning \
    Kestrel__Endpoints__grpc__Url=http://localhost:$grpc Kestrel__Endpoints__http__Url=http://localhost:$http "${env[@]}" \
    dotnet MlopsAspire.Inference.dll > "$WORK/replica-$name.log" 2>&1) &
  REPLICA_PID[$name]=$!
  for _ in $(seq 1 60); do curl -sf "localhost:$http/v2/models/fraud/ready" > /dev/null && return 0; sleep 1; done
  echo "replica $name did not become ready (see $WORK/replica-$name.log)" >&2
  exit 1
}

ARMS=()
port=19101
for arm in "$@"; do
  name=${arm%%=*}
  settings=""
  [ "$name" != "$arm" ] && settings=${arm#*=}
  start_local "$name" $port $((port + 1000)) "$settings"
  ARMS+=("$name:$port")
  port=$((port + 1))
done

closed_rounds "$ROUNDS" "$DURATION" 64 "${ARMS[0]%%:*}"
