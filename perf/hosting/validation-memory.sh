#!/usr/bin/env bash
# The control plane's memory while it validates a hostile upload: a ~200-byte ONNX model whose ConstantOfShape asks
# for 512 MiB. For each round and ARM (a build of the control plane, order rotated per round), starts a fresh control
# plane on one embedded store, warms it with a small registration, resets its peak resident memory
# (/proc/PID/clear_refs), registers the hostile model with the CLI, and prints the growth (peak minus resident before)
# with the CLI's answer; then each arm's median growth.
#
# Usage: perf/hosting/validation-memory.sh ROUNDS NAME=BIN_DIR [NAME=BIN_DIR...]
#   BIN_DIR: bin/Release/net10.0 of src/MlopsAspire.ControlPlane (this build, or another commit's).
# Example: perf/hosting/validation-memory.sh 5 after=src/MlopsAspire.ControlPlane/bin/Release/net10.0 before=/tmp/old/src/MlopsAspire.ControlPlane/bin/Release/net10.0
# Needs: dotnet build -c Release of src/MlopsAspire.ControlPlane, src/MlopsAspire.Store and src/MlopsAspire.Cli.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,11p "$0"; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d "/tmp/validation-memory.XXXXXX")
ROUNDS=$1; shift
ARMS=("$@")
KEY=perf-operator-key-0123456789abcdef
MLOPS="dotnet $ROOT/src/MlopsAspire.Cli/bin/Release/net10.0/mlops.dll"
STORE_PID="" PLANE_PID=""

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
status_kb() { awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"; }
cleanup() {
  [ -n "$PLANE_PID" ] && kill "$PLANE_PID" 2>/dev/null || true
  [ -n "$STORE_PID" ] && kill "$STORE_PID" 2>/dev/null || true
}
trap cleanup EXIT

python3 "$ROOT/perf/hosting/onnx_test_models.py" constant-of-shape $((512 * 1024 * 1024)) "$WORK/hostile.onnx" > /dev/null

STORE_PORT=$(free_port)
(cd "$ROOT/src/MlopsAspire.Store/bin/Release/net10.0" && exec env GARNET_PORT=$STORE_PORT GARNET_DATA_DIR="$WORK/store" \
  dotnet MlopsAspire.Store.dll > "$WORK/store.log" 2>&1) &
STORE_PID=$!
sleep 3

RESULTS="$WORK/results.tsv"
printf 'round\tarm\tgrowth_mb\tresident_before_mb\tanswer\n'
for round in $(seq 1 "$ROUNDS"); do
  for i in $(seq 0 $((${#ARMS[@]} - 1))); do
    arm=${ARMS[$(( (i + round) % ${#ARMS[@]} ))]}
    name=${arm%%=*} dir=${arm#*=}
    grpc=$(free_port) cluster="perf-$round-$name"
    (cd "$dir" && exec dotnet MlopsAspire.ControlPlane.dll \
      --ConnectionStrings:store=127.0.0.1:$STORE_PORT --Orleans:ClusterId=$cluster --Orleans:ServiceId=$cluster \
      --Orleans:Clustering:ProviderType=Redis --Orleans:Clustering:ServiceKey=store \
      --Orleans:GrainStorage:Default:ProviderType=Redis --Orleans:GrainStorage:Default:ServiceKey=store \
      --Orleans:Endpoints:SiloPort=$(free_port) --Orleans:Endpoints:GatewayPort=$(free_port) \
      --Kestrel:Endpoints:http:Url=http://127.0.0.1:$(free_port) --Kestrel:Endpoints:grpc:Url=http://127.0.0.1:$grpc \
      --ControlPlane:SeedDemoModels=false --ControlPlane:OrleansDashboard=false \
      --Management:ApiKeys:Operator:perf=$KEY --Logging:LogLevel:Default=Warning > "$WORK/plane-$round-$name.log" 2>&1) &
    PLANE_PID=$!
    export MLOPS_SERVER=http://127.0.0.1:$grpc MLOPS_API_KEY=$KEY
    for _ in $(seq 1 60); do $MLOPS models list > /dev/null 2>&1 && break; sleep 2; done
    # Warm the registration path (JIT, gRPC, grains, and in the old build ONNX Runtime) before measuring.
    python3 "$ROOT/perf/hosting/onnx_test_models.py" add-bias "$round.5" "$WORK/warm.onnx" > /dev/null
    $MLOPS models register "warm-$name" "$WORK/warm.onnx" > /dev/null
    sleep 2
    before=$(status_kb "$PLANE_PID" VmRSS)
    echo 5 > "/proc/$PLANE_PID/clear_refs"
    answer=$($MLOPS models register "hostile-$name" "$WORK/hostile.onnx" 2>&1 | tr '\n' ' ' | cut -c1-110 || true)
    peak=$(status_kb "$PLANE_PID" VmHWM)
    printf '%s\t%s\t%s\t%s\t%s\n' "$round" "$name" $(( (peak - before) / 1024 )) $(( before / 1024 )) "$answer" | tee -a "$RESULTS"
    kill "$PLANE_PID"; wait "$PLANE_PID" 2>/dev/null || true; PLANE_PID=""
  done
done

echo
for arm in "${ARMS[@]}"; do
  name=${arm%%=*}
  awk -F'\t' -v arm="$name" '$2 == arm { print $3 }' "$RESULTS" | sort -n | awk -v arm="$name" \
    '{ v[NR] = $1 } END { printf "%s: median growth %s MB over %d rounds (min %s, max %s)\n", arm, (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), NR, v[1], v[NR] }'
done
