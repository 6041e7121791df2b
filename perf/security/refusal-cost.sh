#!/usr/bin/env bash
# Refused-call latency after ÷ before a flood of 1,000 refusals naming oversized models, this build side by side
# with an earlier one (perf/RESULTS.md, "Refused calls under a flood").
#
#   perf/security/refusal-cost.sh [BEFORE_REV] [ROUNDS] [NAME_BYTES]      (defaults: cb6ceda 3 4096)
#
# Builds perf/MlopsAspire.RefusalCost (Release) in this tree and in BEFORE_REV's (exported to a temporary folder,
# with this measurement program copied in). Each run starts a fresh control plane (in-process Orleans silo,
# embedded Garnet store, management API on loopback HTTP/2), times 200 anonymous refused GetModel calls, floods it
# with 1,000 anonymous refusals naming NAME_BYTES-character models, and times 200 more. Arms, in alternating order
# per round (ARMS overrides, e.g. ARMS="after every" for a flood the earlier build cannot take):
#   before  BEFORE_REV's build
#   after   this build
#   every   this build recording every refusal one by one (Management__RefusalAuditLimit=1000000): the append
#           itself, without the per-caller allowance
# Prints one tab-separated line per run; the last but one column is after ÷ before of the median latencies.
set -euo pipefail
BEFORE=${1:-cb6ceda}; ROUNDS=${2:-3}; NAME_BYTES=${3:-4096}
read -r -a ARM_LIST <<< "${ARMS:-before after every}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/refusal-cost.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PROGRAM=perf/MlopsAspire.RefusalCost

dotnet build -c Release "$ROOT/$PROGRAM" > "$WORK/build-this.log"
if [[ " ${ARM_LIST[*]} " == *" before "* ]]; then
  mkdir -p "$WORK/before"
  git -C "$ROOT" archive "$BEFORE" | tar -x -C "$WORK/before"
  mkdir -p "$WORK/before/$PROGRAM"
  cp "$ROOT/$PROGRAM"/*.cs "$ROOT/$PROGRAM"/*.csproj "$WORK/before/$PROGRAM/"
  dotnet build -c Release "$WORK/before/$PROGRAM" > "$WORK/build-before.log"
fi

# run ARM TREE [VAR=VALUE...]: one fresh control plane; its log goes to $WORK, its result line to stdout.
run() {
  local arm=$1 tree=$2; shift 2
  (cd "$tree/$PROGRAM/bin/Release/net10.0" && env "$@" dotnet MlopsAspire.RefusalCost.dll "$arm" 1000 "$NAME_BYTES" 200 \
    2>&1 >"$WORK/$arm.log" | grep -P '\t') || { echo "$arm failed: $(tail -5 "$WORK/$arm.log")" >&2; return 1; }
}

printf 'arm\tflood\tname chars\tbefore p50 ms\tbefore p90 ms\tafter p50 ms\tafter p90 ms\tafter ÷ before (p50)\tflood s\n'
for round in $(seq 1 "$ROUNDS"); do
  order=("${ARM_LIST[@]}")
  if (( round % 2 == 0 )); then
    for ((i = 0, j = ${#order[@]} - 1; i < j; i++, j--)); do tmp=${order[i]}; order[i]=${order[j]}; order[j]=$tmp; done
  fi
  for arm in "${order[@]}"; do
    case $arm in
      before) run before "$WORK/before" ;;
      after) run after "$ROOT" ;;
      every) run every "$ROOT" Management__RefusalAuditLimit=1000000 ;;
      *) echo "unknown arm '$arm'" >&2; exit 2 ;;
    esac
  done
done
