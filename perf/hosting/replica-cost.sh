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
  local name=$1 grpc=$2 http=$3 settings=$4 dir=$BIN pair
  local -a vars=() env=()
  if [ -n "$settings" ]; then
    IFS=, read -r -a vars <<< "$settings"
  fi
  for pair in "${vars[@]}"; do
    case "$pair" in
      BIN_DIR=*) dir=${pair#BIN_DIR=} ;;
      *) env+=("$pair") ;;
    esac
  done
  launch_replica "$name" "$grpc" "$http" "$dir" Inference__ModelRepository="$WORK/models" Logging__LogLevel__Default=Warning "${env[@]}"
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
