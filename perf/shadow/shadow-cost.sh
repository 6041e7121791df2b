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
# IDLE=0 leaves out the "idle" replica.
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest. Prints a TSV per run
# (round, replica, shadow rate, achieved req/s, p50, p99, p99.9 ms, failed, missed sends) and the ratios.
set -euo pipefail
MODEL=${1:?usage: shadow-cost.sh SHADOW_MODEL.onnx [RATE] [ROUNDS] [DURATION]}
RATE=${2:-3500}; ROUNDS=${3:-4}; DURATION=${4:-15s}
# shellcheck source=../common/platform.sh
source "$(dirname "$0")/../common/platform.sh"
start_platform
$MLOPS models register fraud "$MODEL" --parent 1

ARMS=("dedicated:9101")
start_replica dedicated 9101 9100 "$BIN"
if [[ "${IDLE:-1}" != 0 ]]; then
  start_replica idle 9201 9200 "$BIN" Inference__Monitoring__ShadowLowPriority=true
  ARMS+=("idle:9201")
fi
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
# Shadow batching per replica: copies scored (inference_count) and session runs (execution_count) of version 2.
for arm in "${ARMS[@]}"; do
  curl -sf "localhost:$(( ${arm##*:} - 1 ))/v2/models/fraud/versions/2/stats" | python3 -c '
import json, sys
stats = json.load(sys.stdin)["model_stats"][0]
copies, runs = int(stats["inference_count"]), int(stats["execution_count"])
print(f"{sys.argv[1]}: version 2 scored {copies} copies in {runs} runs ({copies / max(runs, 1):.1f} per run)")' "${arm%%:*}" || true
done
echo "runs and logs: $WORK"
