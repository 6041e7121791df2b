#!/usr/bin/env bash
# Platform stop: how long each process takes to exit when the whole platform stops (Ctrl+C on the AppHost).
#
# Each round starts a Release platform on a fresh data folder (one replica, one training worker, the console), waits
# until the replica answers fraud, serves it for a few seconds, then sends the AppHost SIGINT and polls every 100 ms for each of its processes, printing the seconds from
# the signal to each exit, and whether the orchestrator reported a resource's stop as failed.
#
# Usage: perf/hosting/platform-stop.sh [ROUNDS]   (default 3; needs the builds named in perf/common/platform.sh)
set -uo pipefail
source "$(dirname "$0")/../common/platform.sh"
ROUNDS=${1:-3}
PLATFORM_ARGS=(--Training:Enabled=true)
RESULTS="$WORK/stops.tsv"

descendants() {
  local pid=$1 child
  for child in $(pgrep -P "$pid"); do echo "$child"; descendants "$child"; done
}

# The AppHost's processes: its own children and those of the orchestrator (DCP) that watches it.
platform_processes() {
  local orchestrator
  descendants "$1"
  for orchestrator in $(pgrep -f "dcp start-apiserver --monitor $1( |$)"); do echo "$orchestrator"; descendants "$orchestrator"; done
}

# The process's role, from its command line; the orchestrator starts each project through `dotnet run`, whose
# process is that role's launcher.
role_of() {
  local args launcher=""
  args=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ "$args" == "dotnet run "* ]] && launcher=" launcher"
  case "$args" in
    *MlopsAspire.Store*) echo "store$launcher" ;;
    *MlopsAspire.ControlPlane*) echo "control-plane$launcher" ;;
    *MlopsAspire.Inference*) echo "inference$launcher" ;;
    *MlopsAspire.TrainingWorker*) echo "training$launcher" ;;
    *MlopsAspire.Console*) echo "console$launcher" ;;
    *Aspire.Dashboard*) echo "dashboard$launcher" ;;
    *) return 1 ;;
  esac
}

for round in $(seq 1 "$ROUNDS"); do
  start_platform
  apphost=$(pgrep -f "MlopsAspire.AppHost.*DataDirectory=$WORK/data" | while read -r pid; do
    [[ "$(tr '\0' ' ' < "/proc/$pid/cmdline")" == *"dotnet run"* ]] || echo "$pid"; done | head -1)
  inference=""
  for _ in $(seq 1 90); do
    inference=$(for pid in $(platform_processes "$apphost"); do [[ "$(role_of "$pid")" == inference ]] && echo "$pid"; done | head -1)
    [[ -n "$inference" ]] && tr '\0' '\n' < "/proc/$inference/environ" | grep -q '^Kestrel__Endpoints__grpc__Url=' && break
    sleep 2
  done
  grpc=$(tr '\0' '\n' < "/proc/$inference/environ" | sed -n 's/^Kestrel__Endpoints__grpc__Url=//p')
  for _ in $(seq 1 60); do
    $LOAD fraud-unary --target "${grpc#http://}" --concurrency 1 --duration 1s --warmup 0s --no-progress 2>/dev/null \
      | grep -q "failed 0 " && break
    sleep 2
  done
  $LOAD fraud-unary --target "${grpc#http://}" --concurrency 4 --duration 5s --no-progress > /dev/null 2>&1

  declare -A roles=() gone=()
  for pid in $(platform_processes "$apphost"); do
    if role=$(role_of "$pid"); then roles[$pid]=$role; fi
  done
  roles[$apphost]=apphost
  start=$(date +%s.%N)
  kill -TERM "$apphost"
  for _ in $(seq 1 400); do
    now=$(date +%s.%N)
    for pid in "${!roles[@]}"; do
      if [[ -z "${gone[$pid]:-}" ]] && ! kill -0 "$pid" 2>/dev/null; then
        gone[$pid]=$(echo "$now - $start" | bc)
      fi
    done
    (( ${#gone[@]} == ${#roles[@]} )) && break
    sleep 0.1
  done
  for pid in "${!roles[@]}"; do
    printf '%s\t%s\t%s\n' "$round" "${roles[$pid]}" "${gone[$pid]:-still running}" | tee -a "$RESULTS"
  done
  failed=$(grep -a -c -i "failed to stop\|stop.*fail\|kill" "$WORK/apphost.log" || true)
  echo "round $round: AppHost log lines about failed stops or kills: $failed"
  for pid in "${!roles[@]}"; do kill -9 "$pid" 2>/dev/null; done
  unset roles gone
  cp "$WORK/apphost.log" "$WORK/apphost-$round.log"
  WORK=$(mktemp -d "/tmp/platform-stop.XXXXXX")
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line]
by_role = {}
for _, role, seconds in rows:
    by_role.setdefault(role, []).append(seconds)
for role, values in sorted(by_role.items()):
    numbers = [float(v) for v in values if v != "still running"]
    median = f"{statistics.median(numbers):.1f} s" if numbers else "-"
    print(f"{role}: exits after {median} (median of {len(numbers)}; each {', '.join(values)})")
PY
echo "logs: $RESULTS"
