#!/usr/bin/env bash
# Faults under load, measured (perf/RESULTS.md, "Faults under load").
#
#   perf/faults/faults.sh [RATE] [OBSERVE_SECONDS] [OUTAGE_SECONDS] [SILOS] [REPLICAS]
#
# Runs the end-to-end fault drills (tests/MlopsAspire.EndToEnd.Tests, FaultsUnderLoadEndToEndTests) at full scale on
# the real AppHost: open-model Poisson fraud traffic at RATE requests/s (default 100) against SILOS silos (3) and
# REPLICAS inference replicas (3); a 10-s baseline, then each fault (kill -9 of a silo, kill -9 of a replica, a
# restart of the store, every silo stopped for OUTAGE_SECONDS, default 60), observed for OBSERVE_SECONDS (30).
# Prints one table row per fault (requests failed ÷ sent, p99 before, the worst 3-s p99 after, the seconds until p99
# is back within 1.5× of before, lifecycle state lost) and the build and machine load it ran under.
# CONFIGURATION=Release (default) or Debug: the build of the tests, the AppHost and every service it starts.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RATE=${1:-100}; OBSERVE=${2:-30}; OUTAGE=${3:-60}; SILOS=${4:-3}; REPLICAS=${5:-3}
CONFIGURATION=${CONFIGURATION:-Release}
WORK=$(mktemp -d /tmp/faults.XXXXXX)
FIGURES="$WORK/figures.md"

dotnet build "$ROOT/tests/MlopsAspire.EndToEnd.Tests" -c "$CONFIGURATION" -v q > "$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log"; exit 1; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date +%s)
MLOPS_FAULTS_RATE=$RATE MLOPS_FAULTS_OBSERVE_SECONDS=$OBSERVE MLOPS_FAULTS_OUTAGE_SECONDS=$OUTAGE \
MLOPS_FAULTS_SILOS=$SILOS MLOPS_FAULTS_REPLICAS=$REPLICAS MLOPS_FAULTS_BASELINE_SECONDS=10 MLOPS_FAULTS_FIGURES=$FIGURES \
  dotnet test "$ROOT/tests/MlopsAspire.EndToEnd.Tests" -c "$CONFIGURATION" --no-build \
    --filter "FullyQualifiedName~FaultsUnderLoadEndToEndTests" --logger "console;verbosity=normal" > "$WORK/test.log" 2>&1 \
  && outcome=passed || outcome=failed

echo "faults under load: $SILOS silos, $REPLICAS replicas, Poisson $RATE req/s, observed $OBSERVE s, control plane stopped $OUTAGE s"
echo "build: $CONFIGURATION; $(nproc) cores; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg); $(( $(date +%s) - started )) s"
echo "| fault | requests failed ÷ sent | p99 before (ms) | worst 3-s p99 after (ms) | s until p99 ≤ 1.5× before | lifecycle state lost |"
echo "|---|---|---|---|---|---|"
cat "$FIGURES" 2>/dev/null || true
echo "drills $outcome; test log: $WORK/test.log"
[ "$outcome" = passed ]
