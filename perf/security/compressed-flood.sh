#!/usr/bin/env bash
# Replica memory after a burst of gzip-compressed gRPC requests that each inflate past the message limit, this
# build side by side with an earlier one (perf/RESULTS.md, "Memory after a burst of oversized requests").
#
#   perf/security/compressed-flood.sh [BEFORE_REV] [ROUNDS] [REQUESTS]      (defaults: HEAD 3 8)
#
# Builds MlopsAspire.Inference (Release) in this tree and in BEFORE_REV's (exported to a temporary folder). Each run
# starts a fresh standalone replica serving the demo models, reads its RSS, sends REQUESTS requests at once, each
# 66 MiB of zeros (an FP16 tensor) compressed by gzip to about 70 KB (Python grpcio, compression=Gzip), which the
# replica refuses with RESOURCE_EXHAUSTED once they inflate past its 64 MiB limit, then reads its RSS right after
# and again 5 s later. Arms alternate per round. Needs python3-grpcio and python3-grpc-tools (Debian packages, for /usr/bin/python3).
set -euo pipefail
BEFORE=${1:-HEAD}; ROUNDS=${2:-3}; REQUESTS=${3:-8}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/compressed-flood.XXXXXX)
trap 'if [[ -n "${REPLICA:-}" ]]; then kill "$REPLICA" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

dotnet build -c Release "$ROOT/src/MlopsAspire.Inference" > "$WORK/build-this.log"
mkdir -p "$WORK/before"
git -C "$ROOT" archive "$BEFORE" | tar -x -C "$WORK/before"
dotnet build -c Release "$WORK/before/src/MlopsAspire.Inference" > "$WORK/build-before.log"
/usr/bin/python3 -m grpc_tools.protoc -I "$ROOT/src/MlopsAspire.Protos/Protos" --python_out="$WORK" --grpc_python_out="$WORK" \
  grpc_service.proto model_config.proto

cat > "$WORK/flood.py" <<'PY'
import sys, threading, grpc
sys.path.insert(0, sys.argv[1])
import grpc_service_pb2 as pb, grpc_service_pb2_grpc as rpc
target, count = sys.argv[2], int(sys.argv[3])
elements = 33 * 1024 * 1024
request = pb.ModelInferRequest(model_name="fraud")
request.inputs.add(name="x", datatype="FP16", shape=[2, elements // 2])
request.raw_input_contents.append(bytes(elements * 2))
codes = []
def send():
    channel = grpc.insecure_channel(target, options=[("grpc.max_send_message_length", -1)], compression=grpc.Compression.Gzip)
    try:
        rpc.GRPCInferenceServiceStub(channel).ModelInfer(request, timeout=60)
        codes.append("OK")
    except grpc.RpcError as error:
        codes.append(error.code().name)
threads = [threading.Thread(target=send) for _ in range(count)]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(",".join(sorted(set(codes))))
PY

rss_mb() { awk '/VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }

run() {
  local arm=$1 dir=$2 grpc=$((21000 + RANDOM % 2000)) http=$((23000 + RANDOM % 2000))
  (cd "$dir" && exec env Inference__IntraOpThreads=1 Kestrel__Endpoints__grpc__Url=http://localhost:$grpc \
    Kestrel__Endpoints__http__Url=http://localhost:$http dotnet MlopsAspire.Inference.dll > "$WORK/replica-$arm.log" 2>&1) &
  REPLICA=$!
  for _ in $(seq 1 60); do curl -sf "localhost:$http/v2/models/fraud/ready" > /dev/null && break; sleep 1; done
  sleep 2
  local before after settled codes
  before=$(rss_mb "$REPLICA")
  codes=$(/usr/bin/python3 "$WORK/flood.py" "$WORK" "localhost:$grpc" "$REQUESTS")
  after=$(rss_mb "$REPLICA")
  sleep 5
  settled=$(rss_mb "$REPLICA")
  printf '%s\t%s\t%s MB\t%s MB\t%s MB\t%s\n' "$round" "$arm" "$before" "$after" "$settled" "$codes"
  kill "$REPLICA"; wait "$REPLICA" 2>/dev/null || true
}

printf 'round\tarm\tRSS before\tright after\t5 s after\tstatus codes\n'
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then
    run before "$WORK/before/src/MlopsAspire.Inference/bin/Release/net10.0"; run after "$ROOT/src/MlopsAspire.Inference/bin/Release/net10.0"
  else
    run after "$ROOT/src/MlopsAspire.Inference/bin/Release/net10.0"; run before "$WORK/before/src/MlopsAspire.Inference/bin/Release/net10.0"
  fi
done
