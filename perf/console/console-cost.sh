#!/usr/bin/env bash
# Control-plane CPU with operator consoles open on a busy model ÷ none, and the models page with many models
# (perf/RESULTS.md, "Console cost").
#
#   perf/console/console-cost.sh [CONSOLES] [ROUNDS] [PHASE_SECONDS] [RATE] [MODELS] [LOADS] [PAGE]
#
# One Release platform (its console on localhost:8082) and a standalone Release replica under fraud traffic at RATE
# requests/s for the whole run. Each round has two phases of PHASE_SECONDS in alternating order: CONSOLES headless
# consoles signed in on PAGE (models/fraud, the default, or audit; refreshing every 3 s), and none; the control
# plane's CPU time is read from /proc around each phase, after a warm-up with the consoles open. MODELS - 2 more
# models are registered (copies of fraud): before the phases for the audit page, which reads every model, after them
# otherwise; then the models page is timed LOADS times from clicking "Models" to the grid showing every model.
# Needs: dotnet build -c Release of AppHost, src/MlopsAspire.Cli and perf/MlopsAspire.LoadTest; a Debug build of
# tests/MlopsAspire.EndToEnd.Tests (its output carries Playwright's driver); /usr/bin/chromium.
set -euo pipefail
CONSOLES=${1:-5}; ROUNDS=${2:-4}; PHASE=${3:-60}; RATE=${4:-300}; MODELS=${5:-52}; LOADS=${6:-9}; PAGE=${7:-models/fraud}
# shellcheck source=../common/platform.sh
source "$(dirname "$0")/../common/platform.sh"
PLAYWRIGHT="$ROOT/tests/MlopsAspire.EndToEnd.Tests/bin/Debug/net10.0/.playwright"
export PLAYWRIGHT_PACKAGE="$PLAYWRIGHT/package"
NODE="$PLAYWRIGHT/node/linux-x64/node"
SCRIPT="$(dirname "$0")/consoles.cjs"
CONSOLE=http://localhost:8082/

start_platform
for _ in $(seq 1 60); do curl -sf "${CONSOLE}health" > /dev/null && break; sleep 2; done
CONTROL_PLANE=$(pgrep -f "$ROOT/src/MlopsAspire.ControlPlane/bin/Release" | head -1)
start_replica busy 9101 9100 "$BIN"
# Every model loaded (the load generator checks ServerReady, which waits for resnet18 too).
for _ in $(seq 1 60); do curl -sf localhost:9100/v2/health/ready > /dev/null && break; sleep 2; done
$LOAD fraud-unary --target localhost:9101 --rate "$RATE" --arrival poisson --duration "$(( ROUNDS * PHASE * 2 + 120 ))s" \
  --no-progress > "$WORK/load.log" 2>&1 &
LOAD_PID=$!
sleep 20 # traffic reaches the control plane's statistics
kill -0 "$LOAD_PID" || { cat "$WORK/load.log"; exit 1; }

# The models beside fraud and the demo model: copies of fraud under other names.
register_models() {
  $LOAD models "$WORK/models" --model fraud > /dev/null
  for i in $(seq 1 $(( MODELS - 2 ))); do
    $MLOPS models register "model-$(printf %02d "$i")" "$WORK/models/fraud/1/model.onnx" --description "console timing" > /dev/null
  done
}
if [[ "$PAGE" != models/fraud ]]; then register_models; fi

# Warm-up: the console's reads (audit, gates, retraining) run once before anything is measured, so the control
# plane's first-call costs (JIT, grain activations) fall outside the phases.
"$NODE" "$SCRIPT" open "$CONSOLE" "$MLOPS_API_KEY" "$CONSOLES" "$PAGE" > "$WORK/consoles-warmup.log" 2>&1 &
pid=$!
until grep -q ready "$WORK/consoles-warmup.log"; do kill -0 "$pid" || { cat "$WORK/consoles-warmup.log"; exit 1; }; sleep 1; done
sleep 20
kill "$pid"; wait "$pid" 2>/dev/null || true

tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
RESULTS="$WORK/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then phases="$CONSOLES 0"; else phases="0 $CONSOLES"; fi
  for open in $phases; do
    pid=""
    if (( open > 0 )); then
      "$NODE" "$SCRIPT" open "$CONSOLE" "$MLOPS_API_KEY" "$open" "$PAGE" > "$WORK/consoles-$round.log" 2>&1 &
      pid=$!
      until grep -q ready "$WORK/consoles-$round.log"; do kill -0 "$pid" || { cat "$WORK/consoles-$round.log"; exit 1; }; sleep 1; done
    fi
    before=$(cpu_ticks "$CONTROL_PLANE")
    sleep "$PHASE"
    after=$(cpu_ticks "$CONTROL_PLANE")
    if [[ -n "$pid" ]]; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    printf '%s\t%s\t%s\n' "$round" "$open" "$(( (after - before) * tick_us / PHASE / 1000 ))" | tee -a "$RESULTS"
  done
done
kill "$LOAD_PID" 2>/dev/null || true

python3 - "$RESULTS" "$CONSOLES" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
cpu = {(r[0], r[1]): int(r[2]) for r in rows}
rounds = sorted({r[0] for r in rows}, key=int)
ratios = [cpu[(n, sys.argv[2])] / cpu[(n, "0")] for n in rounds]
print(f"control-plane CPU ms/s with {sys.argv[2]} consoles {[cpu[(n, sys.argv[2])] for n in rounds]}, none {[cpu[(n, '0')] for n in rounds]}; "
      f"ratio per round {[round(x, 3) for x in ratios]}, median {statistics.median(ratios):.3f}")
PY

# The models page with MODELS models.
if [[ "$PAGE" == models/fraud ]]; then register_models; fi
"$NODE" "$SCRIPT" time "$CONSOLE" "$MLOPS_API_KEY" "$MODELS" "$LOADS" | tee "$WORK/models-page.log"
python3 - "$WORK/models-page.log" <<'PY'
import statistics, sys
times = [int(line.split()[1]) for line in open(sys.argv[1]) if line.startswith("models ")]
print(f"models page, click to every row shown: {times} ms, median {statistics.median(times)} ms")
PY
echo "runs and logs: $WORK"
