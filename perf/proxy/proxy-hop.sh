#!/usr/bin/env bash
# What the AppHost's proxy in front of the inference replicas costs (perf/RESULTS.md, "The proxy hop"): the same
# closed-model fraud traffic through the shared gRPC port (the orchestrator's proxy spreads connections over the
# replicas) and straight to each replica's own port, round-robin from the client, alternating in each round.
#
#   perf/proxy/proxy-hop.sh [REPLICAS] [ROUNDS] [DURATION] [CONCURRENCY] [CONNECTIONS]
#
# One Release platform with REPLICAS replicas and the shared gRPC port on 18001. The replicas' own addresses are
# listed by the control plane (`mlops models endpoints fraud --addresses`), as any client lists them. Both paths open
# CONNECTIONS connections per replica: the proxy balances whole connections, the direct client spreads requests over
# its connections. Prints a TSV line per run (round, path, req/s, p50 ms, p99 ms, failed) and each round's direct ÷
# proxy throughput and p99, with their medians.
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest.
set -euo pipefail
REPLICAS=${1:-2}; ROUNDS=${2:-4}; DURATION=${3:-8s}; CONCURRENCY=${4:-64}; CONNECTIONS=${5:-2}
# shellcheck source=../common/platform.sh
source "$(dirname "$0")/../common/platform.sh"
PLATFORM_ARGS=(--Inference:Replicas="$REPLICAS" --Inference:GrpcPort=18001 --Inference:HttpPort=18000)

start_platform
for _ in $(seq 1 90); do curl -sf localhost:18000/v2/health/ready > /dev/null && break; sleep 2; done
# Each replica is listed once it reports fraud loaded.
found=0
for _ in $(seq 1 60); do
  DIRECT=$($MLOPS models endpoints fraud --addresses 2>/dev/null || true)
  found=$(tr ',' '\n' <<< "$DIRECT" | grep -c . || true)
  (( found == REPLICAS )) && break
  sleep 2
done
(( found == REPLICAS )) || { echo "the control plane lists $found replicas of fraud, expected $REPLICAS" >&2; exit 1; }
echo "proxy localhost:18001, direct $DIRECT"
for _ in $(seq 1 60); do $LOAD fraud-unary --target "$DIRECT" --concurrency 1 --duration 1s --warmup 0s --no-progress > /dev/null 2>&1 && break; sleep 2; done

RESULTS="$WORK/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then paths="proxy direct"; else paths="direct proxy"; fi
  for path in $paths; do
    # The same connections either way: CONNECTIONS per replica (the proxy spreads whole connections over them).
    if [[ $path == proxy ]]; then target=localhost:18001; connections=$(( CONNECTIONS * REPLICAS )); else target=$DIRECT; connections=$CONNECTIONS; fi
    out="$WORK/r$round-$path"
    $LOAD fraud-unary --target "$target" --concurrency "$CONCURRENCY" --connections "$connections" --duration "$DURATION" \
      --no-progress --out "$out" > "$out.log" 2>&1 || { cat "$out.log"; exit 1; }
    python3 - "$out/report.json" "$round" "$path" >> "$RESULTS" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]; latency = run["latency"]
print("\t".join(map(str, [sys.argv[2], sys.argv[3], round(run["throughput"]), latency["p50Ms"], latency["p99Ms"], run["failed"]])))
PY
    tail -1 "$RESULTS"
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
rate = {(r[0], r[1]): float(r[2]) for r in rows}
p99 = {(r[0], r[1]): float(r[4]) for r in rows}
rounds = sorted({r[0] for r in rows}, key=int)
throughput = [rate[(n, "direct")] / rate[(n, "proxy")] for n in rounds]
tail = [p99[(n, "direct")] / p99[(n, "proxy")] for n in rounds]
print(f"direct ÷ proxy throughput per round {[round(x, 2) for x in throughput]}, median {statistics.median(throughput):.2f}")
print(f"direct ÷ proxy p99 per round {[round(x, 2) for x in tail]}, median {statistics.median(tail):.2f}")
print(f"proxy ÷ direct throughput, median {statistics.median(1 / x for x in throughput):.2f} (the proxy's cost: 1 − this)")
PY
echo "runs and logs: $WORK"
