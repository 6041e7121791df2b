#!/usr/bin/env bash
# Profiles every contender of the in-process baselines with Linux perf, and says where each one's CPU per request
# goes (perf/profile/README.md). Usage: perf/profile/profile-baselines.sh [--model fraud] [baselines options...]
# Needs: perf, python3, a Release build of perf/MlopsAspire.LoadTest.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tool="$root/perf/MlopsAspire.LoadTest/bin/Release/net10.0/MlopsAspire.LoadTest.dll"
[[ -f "$tool" ]] || { echo "build it first: dotnet build perf/MlopsAspire.LoadTest -c Release" >&2; exit 1; }
out="${PROFILE_OUT:-$(mktemp -d /tmp/mlops-profile.XXXXXX)}"
mkdir -p "$out"
duration="${PROFILE_DURATION:-10}"

# JIT-compiled code must be in plain executable memory, with a map perf can read, to be named.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
perf record -F 499 -g -k realtime -o "$out/perf.data" -- \
  dotnet "$tool" baselines --duration "${duration}s" --repeat 1 --no-progress --out "$out/report" "$@" 2>&1 \
  | while IFS= read -r line; do printf '%s %s\n' "$(date +%s.%N)" "$line"; done > "$out/baselines.log"

# Each contender prints its summary when its measured run ends: profile the window before it (warm-up excluded).
awk '/ → / { at = $1; contender = $3 } /process CPU/ && contender != "" { print at, contender, $4; contender = "" }' \
  "$out/baselines.log" | while read -r at contender cpu; do
  start="$(python3 -c "print(f'{$at - $duration + 0.2:.3f}')")"
  end="$(python3 -c "print(f'{$at - 0.4:.3f}')")"
  echo "== $contender: $cpu µs CPU per request (client and server in this process)"
  perf script -i "$out/perf.data" --time "$start,$end" -F ip,sym,dso 2>/dev/null \
    | python3 "$here/categories.py" --cpu-us-per-request "$cpu"
done
echo "profile and logs: $out"
