#!/usr/bin/env bash
# Throughput with prediction statistics on ÷ off, side by side on one platform (perf/RESULTS.md, "Statistics on ÷ off").
#
#   perf/monitoring/stats-cost.sh [ROUNDS] [DURATION] [CONCURRENCY]
#
# Three standalone Release replicas of this build join one platform, differing only in settings:
#   off   Inference__Monitoring__Enabled=false
#   stats statistics to the monitoring grains, no payload log (PayloadSampleRate=0)
#   on    the defaults: statistics and every request's payload logged for feedback
# Each round runs the closed-model fraud-unary workload against each replica in rotated order and reads the
# replica's CPU time around the run. Prints a TSV per run (round, replica, req/s, p50, p99 ms, failed, replica CPU
# µs per request) and, per replica, the ratios to "off" in the same round.
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest.
set -euo pipefail
ROUNDS=${1:-4}; DURATION=${2:-20s}; CONCURRENCY=${3:-32}
# shellcheck source=../common/platform.sh
source "$(dirname "$0")/../common/platform.sh"
start_platform

ARMS=("off:9101" "stats:9201" "on:9301")
start_replica off 9101 9100 "$BIN" Inference__Monitoring__Enabled=false
start_replica stats 9201 9200 "$BIN" Inference__Monitoring__PayloadSampleRate=0
start_replica on 9301 9300 "$BIN"
for arm in "${ARMS[@]}"; do $LOAD fraud-unary --target "localhost:${arm##*:}" --concurrency "$CONCURRENCY" --duration 5s --no-progress > /dev/null; done

TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))
RESULTS="$WORK/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  count=${#ARMS[@]}
  for i in $(seq 0 $((count - 1))); do
    arm=${ARMS[$(( (i + round) % count ))]}
    name=${arm%%:*}
    out="$WORK/r$round-$name"
    before=$(cpu_ticks "${REPLICA_PID[$name]}")
    $LOAD fraud-unary --target "localhost:${arm##*:}" --concurrency "$CONCURRENCY" --duration "$DURATION" \
      --warmup 0s --no-progress --out "$out" > /dev/null
    after=$(cpu_ticks "${REPLICA_PID[$name]}")
    python3 - "$out/report.json" "$round" "$name" "$(( (after - before) * TICK_US ))" >> "$RESULTS" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]; latency = run["latency"]
cpu = int(sys.argv[4]) / max(run["succeeded"], 1)
print("\t".join(map(str, [sys.argv[2], sys.argv[3], round(run["throughput"]), latency["p50Ms"], latency["p99Ms"], run["failed"], round(cpu, 1)])))
PY
    tail -1 "$RESULTS"
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
rate = {(r[0], r[1]): float(r[2]) for r in rows}
cpu = {(r[0], r[1]): float(r[6]) for r in rows}
rounds = sorted({r[0] for r in rows}, key=int)
for arm in ("stats", "on"):
    ratios = [rate[(n, arm)] / rate[(n, "off")] for n in rounds]
    extra = [cpu[(n, arm)] - cpu[(n, "off")] for n in rounds]
    print(f"{arm} ÷ off: throughput per round {[round(x, 2) for x in ratios]}, median {statistics.median(ratios):.2f}; "
          f"replica CPU over off, median {statistics.median(extra):+.1f} µs per request "
          f"(off {statistics.median(cpu[(n, 'off')] for n in rounds):.1f} µs)")
PY
echo "runs and logs: $WORK"
